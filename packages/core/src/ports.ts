import type { Decision, DecideOutput } from "./decision.ts";
import type { ListEntry, ListEntryInput, ListField } from "./lists.ts";
import type { Profile, ProfileEdit } from "./profile.ts";
import type { Ruleset, RulesetContent } from "./ruleset.ts";
import type { Transaction } from "./transaction.ts";
import type { DecisionOutcome } from "./ruleset.ts";

/** Who did something, for the audit log. */
export interface Actor {
  id: string;
  role?: string;
}

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
  record(
    tx: Transaction,
    fingerprint: string,
    score: (profile: Profile | undefined) => DecideOutput & { latency_ms: number },
  ): Promise<RecordResult>;
  get(transactionId: string): Promise<Decision | undefined>;
  search(query: DecisionQuery): Promise<Decision[]>;
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

export const API_KEY_SCOPES = ["ingest", "read"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  created_at: string;
  revoked_at: string | null;
}

/** API keys are stored hashed; the plaintext is shown once, at creation. */
export interface ApiKeyStore {
  create(name: string, scopes: ApiKeyScope[], actor: Actor, plaintext?: string): Promise<{ key: string; info: ApiKeyInfo }>;
  verify(key: string): Promise<ApiKeyInfo | undefined>;
  list(): Promise<ApiKeyInfo[]>;
  revoke(id: string, actor: Actor): Promise<void>;
}
