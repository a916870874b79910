import type { Backtests } from "../backtest/backtest.ts";
import type {
  AlertInbox,
  AuditTrail,
  DecisionLog,
  ListStore,
  LiveMetrics,
  ProfileStore,
  ReviewStore,
  RuleStore,
  ShadowRulesetStore,
  TestDecisionLog,
} from "./ports.ts";
import type { ApiKeyStore, SessionStore, SignInThrottle, UserStore } from "../user/ports.ts";
import type { Reports } from "../report/service.ts";
import type { Scoring } from "../decision/scoring.ts";
import type { Settings } from "../settings/settings.ts";

export const DEPLOYMENTS = ["local", "aws"] as const;
export type Deployment = (typeof DEPLOYMENTS)[number];

/** Hit counts per rule over the decisions the store holds, when it can count them cheaply. */
export interface RuleHitCounts {
  /**
   * Rule id -> decisions it fired on. Undefined where the history lives only in the lake (AWS:
   * DynamoDB keeps decisions for their TTL and counting them would scan the table); the built-in
   * report `rule_hit_rates` counts them there.
   */
  ruleHits(): Promise<Record<string, number> | undefined>;
}

/**
 * What the dashboard works with, whichever deployment runs it: the common surface of the local
 * (SQLite, DuckDB) and the AWS (DynamoDB, Athena) composition roots. Nothing here names a
 * database handle or a file.
 */
export interface Platform {
  readonly deployment: Deployment;
  decisions: DecisionLog & RuleHitCounts;
  /** The test page's transactions, apart from the real ones (`scoring.submitTest` records there). */
  testDecisions: TestDecisionLog;
  profiles: ProfileStore;
  rules: RuleStore & ShadowRulesetStore;
  lists: ListStore;
  apiKeys: ApiKeyStore;
  users: UserStore;
  sessions: SessionStore;
  signInThrottle: SignInThrottle;
  reviews: ReviewStore;
  alerts: AlertInbox;
  auditTrail: AuditTrail;
  metrics: LiveMetrics;
  scoring: Scoring;
  reports: Reports;
  backtests: Backtests;
  settings: Settings;
}
