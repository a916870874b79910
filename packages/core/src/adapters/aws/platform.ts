import type { Settings } from "../../settings.ts";
import { Scoring } from "../../scoring.ts";
import { AwsApiKeyStore } from "./api-keys.ts";
import { AwsAuditTrail } from "./audit-trail.ts";
import { createAwsClients, type AwsClientConfig, type AwsClients, type TableNames } from "./clients.ts";
import { AwsDecisionLog, type AwsDecisionLogOptions } from "./decision-log.ts";
import { KinesisEventStream } from "./event-stream.ts";
import { AwsListStore } from "./list-store.ts";
import { AwsProfileStore } from "./profile-store.ts";
import { AwsRuleStore } from "./rule-store.ts";
import { AwsSessionStore, AwsUserStore } from "./user-store.ts";

export interface AwsPlatformOptions {
  tables: TableNames;
  streamName: string;
  settings: Settings;
  clients?: AwsClients;
  clientConfig?: AwsClientConfig;
  decisionLog?: AwsDecisionLogOptions;
  /** How long a Lambda container trusts its compiled ruleset before checking the live version. */
  rulesetCacheMs?: number;
  clock?: () => Date;
}

/** The composition root of the AWS deployment: the same ports and scoring service as the local one. */
export function openAwsPlatform(options: AwsPlatformOptions) {
  const clients = options.clients ?? createAwsClients(options.clientConfig);
  const clock = options.clock ?? (() => new Date());
  const events = new KinesisEventStream(clients.kinesis, options.streamName);
  const decisions = new AwsDecisionLog(clients.dynamo, options.tables, events, options.decisionLog);
  const rules = new AwsRuleStore(clients.dynamo, options.tables, clock);
  const lists = new AwsListStore(clients.dynamo, options.tables, clock);
  return {
    clients,
    events,
    decisions,
    rules,
    lists,
    profiles: new AwsProfileStore(clients.dynamo, options.tables, clock),
    apiKeys: new AwsApiKeyStore(clients.dynamo, options.tables, clock),
    users: new AwsUserStore(clients.dynamo, options.tables, clock),
    sessions: new AwsSessionStore(clients.dynamo, options.tables, clock),
    auditTrail: new AwsAuditTrail(clients.dynamo, options.tables, clock),
    scoring: new Scoring({ decisions, rules, lists, settings: options.settings, clock, rulesetCacheMs: options.rulesetCacheMs ?? 5_000 }),
    settings: options.settings,
  };
}
export type AwsPlatform = ReturnType<typeof openAwsPlatform>;
