import { z } from "zod";
import type { BacktestResult } from "../backtest/result.ts";
import type { ListEntry } from "../list/lists.ts";
import type { Profile, ProfileEdit } from "../profile/profile.ts";
import type { ReportDefinition } from "../report/report.ts";
import type { Case, Label } from "../review/review.ts";
import type { Ruleset } from "../ruleset/ruleset.ts";
import type { Actor, User } from "../user/users.ts";

/** One change to the system: who did what to which thing, when, with the values before and after. */
export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface AuditQuery {
  entity?: string;
  entity_id?: string;
  actor?: string;
  /** Only entries older than this id, for paging newest first. */
  before_id?: number;
  limit?: number;
}

/** A change as the audit trail records it, before the store numbers it. */
export interface AuditRecord {
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before?: unknown;
  after?: unknown;
}

/** The changes to an account that the trail tells apart. */
export const USER_CHANGES = ["user.role", "user.disable", "user.enable", "user.password", "user.password_reset"] as const;
export type UserChange = (typeof USER_CHANGES)[number];

/** Who made a change and when: every builder below starts from it. */
interface Change {
  by: Actor;
  at: string;
}

/** A user's role and whether the account is disabled: what a change to an account records. */
type Account = Pick<User, "role" | "disabled_at">;
const account = (u: Account) => ({ role: u.role, disabled: u.disabled_at !== null });

/**
 * The audit entry of each kind of change, one builder per kind, so that every store (local and
 * AWS) records the same entry for the same change and the trail reads the same on both.
 */
export const Audit = {
  alertAcknowledged: ({ by, at }: Change, id: number): AuditRecord => ({
    at,
    actor: by.id,
    action: "alert.acknowledge",
    entity: "alert",
    entity_id: String(id),
    before: { status: "open" },
    after: { status: "acknowledged" },
  }),
  apiKeyCreated: ({ by, at }: Change, key: { id: string; name: string; scopes: readonly string[] }): AuditRecord => ({
    at,
    actor: by.id,
    action: "api_key.create",
    entity: "api_key",
    entity_id: key.id,
    after: { name: key.name, scopes: key.scopes },
  }),
  apiKeyRevoked: ({ by, at }: Change, id: string): AuditRecord => ({ at, actor: by.id, action: "api_key.revoke", entity: "api_key", entity_id: id }),
  caseAssigned: ({ by, at }: Change, transactionId: string, before: Pick<Case, "assignee">, assignee: string | null): AuditRecord => ({
    at,
    actor: by.id,
    action: "case.assign",
    entity: "case",
    entity_id: transactionId,
    before: { assignee: before.assignee },
    after: { assignee },
  }),
  caseLabelled: ({ by, at }: Change, transactionId: string, before: Pick<Case, "status" | "label">, label: Label): AuditRecord => ({
    at,
    actor: by.id,
    action: "case.label",
    entity: "case",
    entity_id: transactionId,
    before: { status: before.status, label: before.label },
    after: { status: "closed", label },
  }),
  caseReleased: ({ by, at }: Change, transactionId: string, userId: string, note: string): AuditRecord => ({
    at,
    actor: by.id,
    action: "case.release",
    entity: "case",
    entity_id: transactionId,
    after: { user_id: userId, note },
  }),
  listEntryAdded: ({ by, at }: Change, entry: ListEntry): AuditRecord => ({
    at,
    actor: by.id,
    action: "list.add",
    entity: "list_entry",
    entity_id: String(entry.id),
    after: entry,
  }),
  listEntryRemoved: ({ by, at }: Change, id: number, before: unknown): AuditRecord => ({
    at,
    actor: by.id,
    action: "list.remove",
    entity: "list_entry",
    entity_id: String(id),
    before,
  }),
  /** Only the fields the edit changed, before and after. */
  profileEdited: ({ by, at }: Change, before: Profile, after: Profile, changed: ReadonlyArray<keyof ProfileEdit>): AuditRecord => ({
    at,
    actor: by.id,
    action: "profile.edit",
    entity: "profile",
    entity_id: before.user_id,
    before: Object.fromEntries(changed.map((k) => [k, before[k]])),
    after: Object.fromEntries(changed.map((k) => [k, after[k]])),
  }),
  /** A new report (no `before`) or a new version of a saved one. */
  reportSaved: ({ by, at }: Change, definition: ReportDefinition, before: unknown): AuditRecord => ({
    at,
    actor: by.id,
    action: before ? "report.update" : "report.create",
    entity: "report",
    entity_id: definition.name,
    before,
    after: definition,
  }),
  reportDeleted: ({ by, at }: Change, name: string, before: unknown): AuditRecord => ({
    at,
    actor: by.id,
    action: "report.delete",
    entity: "report",
    entity_id: name,
    before,
  }),
  backtestRun: ({ by, at }: Change, id: number, rulesetVersion: number, result: Pick<BacktestResult, "from" | "to" | "transactions">): AuditRecord => ({
    at,
    actor: by.id,
    action: "ruleset.backtest",
    entity: "ruleset",
    entity_id: String(rulesetVersion),
    after: { backtest: id, from: result.from, to: result.to, transactions: result.transactions },
  }),
  rulesetDrafted: ({ by, at }: Change, draft: Pick<Ruleset, "version" | "rules">, note: string): AuditRecord => ({
    at,
    actor: by.id,
    action: "ruleset.draft",
    entity: "ruleset",
    entity_id: String(draft.version),
    after: { note, rules: draft.rules.length },
  }),
  /** A version goes live: published from a draft, or a rollback's copy of an earlier one. */
  rulesetLive: ({ by, at }: Change, how: "ruleset.publish" | "ruleset.rollback", version: number, previous: number): AuditRecord => ({
    at,
    actor: by.id,
    action: how,
    entity: "ruleset",
    entity_id: String(version),
    before: { live_version: previous },
    after: { live_version: version },
  }),
  /** The shadow ruleset is set to `version`, or cleared (null); `previous` is 0 when there was none. */
  shadowSet: ({ by, at }: Change, version: number | null, previous: number): AuditRecord => ({
    at,
    actor: by.id,
    action: "ruleset.shadow",
    entity: "ruleset",
    entity_id: String(version ?? previous),
    before: { shadow_version: previous === 0 ? null : previous },
    after: { shadow_version: version },
  }),
  userCreated: ({ by, at }: Change, user: Pick<User, "username" | "display_name" | "role">): AuditRecord => ({
    at,
    actor: by.id,
    action: "user.create",
    entity: "user",
    entity_id: user.username,
    after: { display_name: user.display_name, role: user.role },
  }),
  /** A change to an account: its role, disabled or enabled, or its password set. */
  userChanged: ({ by, at }: Change, how: UserChange, before: Account & Pick<User, "username">, after: Account): AuditRecord => ({
    at,
    actor: by.id,
    action: how,
    entity: "user",
    entity_id: before.username,
    before: account(before),
    after: account(after),
  }),
};
