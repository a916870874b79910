import type { Decision, DecideOutput } from "../decision/decision.ts";
import type { ListEntry, ListEntryInput, ListField } from "../list/lists.ts";
import type { Profile, ProfileEdit } from "../profile/profile.ts";
import type { DecisionOutcome, Ruleset, RulesetContent } from "../ruleset/ruleset.ts";
import type { Transaction } from "../transaction/transaction.ts";
import type { AuditEntry, AuditQuery } from "../audit/audit.ts";
import type { Alert, AlertStatus, MinuteFigures, RecentSample } from "../monitoring/monitoring.ts";
import type { AddNote, AssignCase, Case, CaseEvent, CaseQuery, LabelCase, LabelStats } from "../review/review.ts";
import type { Actor } from "../user/users.ts";
import type { BacktestRecord, BacktestResult } from "../backtest/result.ts";
import type { Report, ReportDefinition, ReportEvent, ReportQuery, SqlCheck } from "../report/report.ts";
import type { DecisionTiming } from "../telemetry/decision-timing.ts";

export type RecordResult =
  | { status: "recorded"; decision: Decision }
  | { status: "duplicate"; decision: Decision }
  /** The id was used before for a different transaction. */
  | { status: "conflict"; decision: Decision };

/**
 * Where decisions are made durable. `record` is atomic and exactly-once per transaction id: it
 * reads the profile, lets `score` decide, and stores the decision, the new profile and the event
 * for the consumers together, or nothing.
 */
export interface DecisionLog {
  /** `timing`, when given, is told when the commit that made the decision durable ran (for its trace). */
  record(
    tx: Transaction,
    fingerprint: string,
    score: (profile: Profile | undefined) => DecideOutput & { latency_ms: number },
    timing?: DecisionTiming,
  ): Promise<RecordResult>;
  get(transactionId: string): Promise<Decision | undefined>;
  search(query: DecisionQuery): Promise<Decision[]>;
}

/**
 * Test transactions typed or replayed in the dashboard. A test is scored like a real transaction
 * (same ruleset, lists and customer profile) but stored apart, marked `test: true`: the customer's
 * profile is only read, no event reaches the consumers (alerts, per-minute figures, the lake and
 * its reports, the review queue and its precision figures), and the real decision log never sees
 * it, so a test cannot change what a real transaction is scored against or counted in.
 */
export interface TestDecisionLog {
  /**
   * Scores a test with the customer's real profile, or within `sandbox` with the sandbox's copy
   * of it, and stores the decision as a test; the profile after it is kept in the sandbox only
   * (none: nowhere). An id already taken by a real decision is a conflict; the same test again is
   * a duplicate. A real transaction may later use any id a test used.
   */
  record(
    tx: Transaction,
    fingerprint: string,
    sandbox: string | undefined,
    score: (profile: Profile | undefined) => DecideOutput & { latency_ms: number },
  ): Promise<RecordResult>;
  /** A test decision, always marked `test: true`. */
  get(transactionId: string): Promise<Decision | undefined>;
}

export interface DecisionQuery {
  decision?: DecisionOutcome;
  user_id?: string;
  rule_id?: string;
  min_amount?: number;
  max_amount?: number;
  /** Only decisions recorded before this cursor (ISO time), for paging newest first. */
  before?: string;
  limit?: number;
}

export interface ProfileStore {
  get(userId: string): Promise<Profile | undefined>;
  /** Creates the profile if the user has none; returns whether it was created. */
  insertIfMissing(profile: Profile): Promise<boolean>;
  edit(userId: string, edit: ProfileEdit, actor: Actor): Promise<Profile>;
  search(text: string, limit: number): Promise<Profile[]>;
}

export interface RuleStore {
  /** The published ruleset that scores transactions now. */
  live(): Promise<Ruleset | undefined>;
  liveVersion(): Promise<number>;
  get(version: number): Promise<Ruleset | undefined>;
  versions(): Promise<Ruleset[]>;
  saveDraft(content: RulesetContent, actor: Actor, note?: string): Promise<Ruleset>;
  publish(version: number, actor: Actor): Promise<Ruleset>;
  /** Publishes a copy of an earlier version as a new version. */
  rollback(toVersion: number, actor: Actor): Promise<Ruleset>;
}

export interface ListStore {
  /** Entries matching any of the keys (expired ones included: matching checks the time). */
  find(keys: ReadonlyArray<{ field: ListField; value: string }>): Promise<ListEntry[]>;
  all(): Promise<ListEntry[]>;
  add(entry: ListEntryInput, actor: Actor): Promise<ListEntry>;
  remove(id: number, actor: Actor): Promise<void>;
}

/** What an alert channel receives for a REVIEW or BLOCKED decision. No personal data beyond ids. */
export interface AlertMessage {
  transaction_id: string;
  user_id: string;
  decision: DecisionOutcome;
  score: number;
  amount: number;
  currency: string;
  rules: string[];
  decided_at: string;
}

/** An alert channel (webhook locally, SNS on AWS). Throws when the message was not delivered. */
export interface Alerter {
  readonly channel: string;
  send(message: AlertMessage): Promise<void>;
}

// --- Cases, alerts, audit and live figures (dashboard) ---

/** The review queue: REVIEW and BLOCKED decisions, their assignee, the analyst's label and notes. */
export interface ReviewStore {
  queue(query: CaseQuery): Promise<Case[]>;
  get(transactionId: string): Promise<Case | undefined>;
  history(transactionId: string): Promise<CaseEvent[]>;
  assign(input: AssignCase, actor: Actor): Promise<Case>;
  label(input: LabelCase, actor: Actor): Promise<Case>;
  note(input: AddNote, actor: Actor): Promise<CaseEvent>;
  /** Records on the case that the customer was released (their block-list entries removed). */
  recordRelease(transactionId: string, note: string, actor: Actor): Promise<CaseEvent>;
  labelStats(): Promise<LabelStats>;
}

export interface AlertInbox {
  list(query: { status?: AlertStatus; limit?: number }): Promise<Alert[]>;
  forTransaction(transactionId: string): Promise<Alert[]>;
  acknowledge(id: number, actor: Actor): Promise<void>;
  openCount(): Promise<number>;
}

export interface AuditTrail {
  list(query: AuditQuery): Promise<AuditEntry[]>;
}

/** Live figures for the overview, cheap enough to read every few seconds. */
export interface LiveMetrics {
  /** Per-minute counts of the last `minutes` minutes that had decisions (no gap filling). */
  perMinute(minutes: number, now: Date): Promise<MinuteFigures[]>;
  /** Scores and latencies of the last `size` decisions. */
  recent(size: number): Promise<RecentSample>;
}

// --- Analytics: saved reports over the lake, backtests and shadow rulesets ---

/**
 * Runs report SQL (Athena/Trino dialect, positional `?` parameters) over the lake, seen as the
 * tables `decisions` and `labels`. Local: DuckDB over the Parquet files; AWS: Athena.
 */
export interface ReportRunner {
  readonly engine: "duckdb" | "athena";
  /** Parses SQL with the engine's parser: one read-only SELECT over `decisions` and `labels` only. */
  check(sql: string): Promise<SqlCheck>;
  /**
   * Progress, columns, rows in batches, then done. Stops at the row limit (truncated) and throws
   * VisibleError REPORT_TIMEOUT past the time-out, REPORT_CANCELLED when the signal aborts, and
   * REPORT_SQL_REJECTED / REPORT_SQL_ERROR for an analyst's SQL (`trusted: false`).
   */
  stream(query: ReportQuery, options?: { signal?: AbortSignal }): AsyncIterable<ReportEvent>;
}

/** Reports saved by analysts (the built-in ones live in code). */
export interface ReportStore {
  list(): Promise<Report[]>;
  get(name: string): Promise<Report | undefined>;
  /** Creates or replaces the report of that name. */
  save(definition: ReportDefinition, actor: Actor): Promise<Report>;
  remove(name: string, actor: Actor): Promise<void>;
}

/** Backtest results, kept with the ruleset version they tested. */
export interface BacktestStore {
  save(result: BacktestResult & { ruleset_version: number }, actor: Actor, at: Date): Promise<BacktestRecord>;
  /** Newest first. */
  list(rulesetVersion: number): Promise<BacktestRecord[]>;
  get(id: number): Promise<BacktestRecord | undefined>;
}

/**
 * The shadow ruleset: one stored version (a draft) that scoring evaluates beside the live one on
 * every transaction. Its outcome is recorded with the decision and never acted on.
 */
export interface ShadowRulesetStore {
  /** The shadow version, or 0 when there is none. */
  shadowVersion(): Promise<number>;
  /** Makes a draft the shadow ruleset (null: none). */
  setShadow(version: number | null, actor: Actor): Promise<void>;
}
