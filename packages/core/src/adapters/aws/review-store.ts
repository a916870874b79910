import { BatchGetCommand, GetCommand, type BatchGetCommandOutput, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit, type AuditRecord } from "../../audit/audit.ts";
import { Decision, summaryOf } from "../../decision/decision.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { ReviewStore } from "../../platform/ports.ts";
import { ALERTING_DECISIONS, raisesAlert } from "../../ruleset/ruleset.ts";
import {
  AddNote,
  AssignCase,
  Case,
  CASE_STATUSES,
  CaseEvent,
  LabelCase,
  LABELS,
  type CaseAction,
  type CaseQuery,
  type Label,
  type LabelStats,
} from "../../review/review.ts";
import { auditPut } from "./audit.ts";
import { lostRace, mergeNewest, queryAll, retryLostRaces, type TableNames, type TransactItem } from "./clients.ts";
import { wrap } from "./profile-store.ts";
import { DECISION_INDEX_SHARDS } from "./tables.ts";
import { type Actor } from "../../user/users.ts";

const CASE_SK = "CASE";
const EVENT_PREFIX = "EVENT#";
const eventSk = (n: number) => `${EVENT_PREFIX}${String(n).padStart(10, "0")}`;
const MAX_ATTEMPTS = 10;

/** A case item: the case as the queue shows it, and the version its conditional writes check. */
const CaseItem = z.object({
  transaction_id: z.string(),
  case_status: z.enum(CASE_STATUSES),
  assignee: z.string().optional(),
  label: z.enum(LABELS).optional(),
  updated_at: z.string(),
  version: z.number().int().positive(),
  user_id: z.string(),
  decision: z.enum(ALERTING_DECISIONS),
  score: z.number(),
  amount: z.number(),
  currency: z.string(),
  rules: z.array(z.string()),
  decided_at: z.string(),
});
type CaseItem = z.infer<typeof CaseItem>;

const EventItem = z.object({ transaction_id: z.string(), sk: z.string(), at: z.string(), author: z.string(), action: z.string(), note: z.string() });
const DecisionData = z.object({ data: z.string() });

function caseOfItem(item: CaseItem): Case {
  return Case.parse({
    transaction_id: item.transaction_id,
    user_id: item.user_id,
    decision: item.decision,
    score: item.score,
    amount: item.amount,
    currency: item.currency,
    rules: item.rules,
    decided_at: item.decided_at,
    status: item.case_status,
    assignee: item.assignee ?? null,
    label: item.label ?? null,
    updated_at: item.updated_at,
  });
}

/** The case of a REVIEW or BLOCKED decision nobody has acted on yet. */
function openCaseOf(d: Decision): Case {
  return Case.parse({
    ...summaryOf(d),
    status: "open",
    assignee: null,
    label: null,
    updated_at: null,
  });
}

/** A label as the lake keeps it for Athena (`labels/`), the latest one per transaction. */
export interface LabelRecord {
  transaction_id: string;
  label: Label;
  labeled_at: string;
}
export interface LabelSink {
  put(label: LabelRecord): Promise<void>;
}

/**
 * The review queue on DynamoDB. Open cases are the REVIEW and BLOCKED decisions (the decisions
 * table's outcome index) joined with their case items; closed and assigned cases are read from the
 * case items' own indexes. Every change writes the case item (conditional on the version it read),
 * its history event and the audit entry in one transaction, and is tried again on a lost race.
 */
export class AwsReviewStore implements ReviewStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "reviews" | "decisions" | "audit">,
    private readonly clock: () => Date = () => new Date(),
    /** Where labels go for Athena (the lake bucket); none: labels stay in DynamoDB only. */
    private readonly labels?: LabelSink,
  ) {}

  async queue(query: CaseQuery): Promise<Case[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const status = query.status ?? "open";
    try {
      if (query.assignee || status === "closed") return await this.fromCaseIndex(query, status, limit);
      return await this.fromDecisions(query, status, limit);
    } catch (e) {
      throw wrap(e);
    }
  }

  /** Cases of one assignee, or closed cases: only cases someone acted on, so the case items hold them. */
  private async fromCaseIndex(query: CaseQuery, status: "open" | "closed" | "all", limit: number): Promise<Case[]> {
    const filters: string[] = [];
    const names: Record<string, string> = { "#k": query.assignee ? "assignee" : "case_status" };
    const values: Record<string, unknown> = { ":k": query.assignee ?? "closed" };
    if (query.assignee && status !== "all") {
      filters.push(status === "open" ? "#status <> :closed" : "#status = :closed");
      names["#status"] = "case_status";
      values[":closed"] = "closed";
    }
    if (query.decision) {
      filters.push("#decision = :decision");
      names["#decision"] = "decision";
      values[":decision"] = query.decision;
    }
    const out: Case[] = [];
    for await (const item of mergeNewest(
      this.db,
      [
        {
          TableName: this.tables.reviews,
          IndexName: query.assignee ? "byAssignee" : "byStatus",
          KeyConditionExpression: "#k = :k",
          ...(filters.length ? { FilterExpression: filters.join(" AND ") } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      ],
      "decided_at",
      Math.max(limit, 25),
    )) {
      out.push(caseOfItem(CaseItem.parse(item)));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** REVIEW and BLOCKED decisions newest first, each with its case item when it has one. */
  private async fromDecisions(query: CaseQuery, status: "open" | "closed" | "all", limit: number): Promise<Case[]> {
    const outcomes = query.decision ? [query.decision] : ALERTING_DECISIONS;
    const partitions = outcomes.flatMap((o) => Array.from({ length: DECISION_INDEX_SHARDS }, (_, s) => `${o}#${s}`));
    const decisions = mergeNewest(
      this.db,
      partitions.map((p) => ({
        TableName: this.tables.decisions,
        IndexName: "byOutcome",
        KeyConditionExpression: "outcome_shard = :k",
        ExpressionAttributeValues: { ":k": p },
      })),
      "decided_at",
      Math.max(limit, 25),
    );
    const out: Case[] = [];
    let batch: Decision[] = [];
    const flush = async () => {
      const items = await this.caseItems(batch.map((d) => d.transaction_id));
      for (const d of batch) {
        const item = items.get(d.transaction_id);
        const c = item ? caseOfItem(item) : openCaseOf(d);
        if (status === "open" && c.status === "closed") continue;
        if (out.length < limit) out.push(c);
      }
      batch = [];
    };
    for await (const item of decisions) {
      batch.push(Decision.parse(JSON.parse(DecisionData.parse(item).data)));
      if (batch.length >= Math.min(100, limit)) {
        await flush();
        if (out.length >= limit) return out;
      }
    }
    if (batch.length) await flush();
    return out;
  }

  /** The case items of these transactions (BatchGetItem, 100 keys at a time, unprocessed keys retried). */
  private async caseItems(ids: readonly string[]): Promise<Map<string, CaseItem>> {
    const found = new Map<string, CaseItem>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = [...new Set(ids.slice(i, i + 100))].map((id) => ({ transaction_id: id, sk: CASE_SK }));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 25 * 2 ** attempt)));
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tables.reviews]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.tables.reviews] ?? []) {
          const c = CaseItem.parse(item);
          found.set(c.transaction_id, c);
        }
        keys = out.UnprocessedKeys?.[this.tables.reviews]?.Keys;
      }
    }
    return found;
  }

  private async caseItem(transactionId: string): Promise<CaseItem | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.reviews, Key: { transaction_id: transactionId, sk: CASE_SK }, ConsistentRead: true }),
    );
    return Item ? CaseItem.parse(Item) : undefined;
  }

  /** The case and the version of its item (0: no item yet), or undefined when there is no such case. */
  private async read(transactionId: string): Promise<{ before: Case; version: number } | undefined> {
    const item = await this.caseItem(transactionId);
    if (item) return { before: caseOfItem(item), version: item.version };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.decisions, Key: { transaction_id: transactionId }, ConsistentRead: true }));
    if (!Item) return undefined;
    const d = Decision.parse(JSON.parse(DecisionData.parse(Item).data));
    return raisesAlert(d.decision) ? { before: openCaseOf(d), version: 0 } : undefined;
  }

  async get(transactionId: string): Promise<Case | undefined> {
    try {
      return (await this.read(transactionId))?.before;
    } catch (e) {
      throw wrap(e);
    }
  }

  async history(transactionId: string): Promise<CaseEvent[]> {
    const items = await queryAll(this.db, {
      TableName: this.tables.reviews,
      KeyConditionExpression: "transaction_id = :t AND begins_with(sk, :e)",
      ExpressionAttributeValues: { ":t": transactionId, ":e": EVENT_PREFIX },
      ConsistentRead: true,
    }).catch((e: unknown) => Promise.reject(wrap(e)));
    return items.map((raw) => {
      const e = EventItem.parse(raw);
      return CaseEvent.parse({
        id: Number(e.sk.slice(EVENT_PREFIX.length)),
        transaction_id: e.transaction_id,
        at: e.at,
        author: e.author,
        action: e.action,
        note: e.note,
      });
    });
  }

  /**
   * One change of a case: reads it, lets `plan` decide its new state, the history event and the
   * audit entry, and writes the three together only if nobody changed the case in between.
   */
  private async change(
    transactionId: string,
    actor: Actor,
    plan: (before: Case, at: string) => { after: Pick<Case, "status" | "assignee" | "label">; action: CaseAction; note: string; audit?: AuditRecord },
  ): Promise<{ after: Case; event: CaseEvent }> {
    return retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: lostRace }, async () => {
      const found = await this.read(transactionId);
      if (!found) throw new VisibleError("CASE_NOT_FOUND", `no REVIEW or BLOCKED decision for ${transactionId}`);
      const { before, version } = found;
      const at = this.clock().toISOString();
      const p = plan(before, at);
      const next = version + 1;
      const after: Case = { ...before, ...p.after, updated_at: at };
      const item = CaseItem.parse({
        transaction_id: transactionId,
        case_status: after.status,
        ...(after.assignee ? { assignee: after.assignee } : {}),
        ...(after.label ? { label: after.label } : {}),
        updated_at: at,
        version: next,
        user_id: before.user_id,
        decision: before.decision,
        score: before.score,
        amount: before.amount,
        currency: before.currency,
        rules: before.rules,
        decided_at: before.decided_at,
      });
      const event: CaseEvent = { id: next, transaction_id: transactionId, at, author: actor.id, action: p.action, note: p.note };
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.tables.reviews,
            Item: { ...item, sk: CASE_SK },
            ConditionExpression: version === 0 ? "attribute_not_exists(sk)" : "version = :v",
            ...(version === 0 ? {} : { ExpressionAttributeValues: { ":v": version } }),
          },
        },
        {
          Put: {
            TableName: this.tables.reviews,
            Item: { transaction_id: transactionId, sk: eventSk(next), at, author: actor.id, action: p.action, note: p.note },
            ConditionExpression: "attribute_not_exists(sk)",
          },
        },
      ];
      if (p.audit) items.push(auditPut(this.tables.audit, p.audit));
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { after, event };
    }).catch((e: unknown) => Promise.reject(wrap(e)));
  }

  async assign(input: AssignCase, actor: Actor): Promise<Case> {
    const { transaction_id, assignee } = AssignCase.parse(input);
    const { after } = await this.change(transaction_id, actor, (before, at) => {
      if (before.status === "closed") throw new VisibleError("CASE_CLOSED", "this case is closed");
      return {
        after: { status: assignee ? "assigned" : "open", assignee, label: null },
        action: "assign",
        note: assignee ? `assigned to ${assignee}` : "unassigned",
        audit: Audit.caseAssigned({ by: actor, at }, transaction_id, before, assignee),
      };
    });
    return after;
  }

  async label(input: LabelCase, actor: Actor): Promise<Case> {
    const { transaction_id, label, note } = LabelCase.parse(input);
    const { after, event } = await this.change(transaction_id, actor, (before, at) => ({
      after: { status: "closed", assignee: before.assignee ?? actor.id, label },
      action: "label",
      note: note ? `${label}: ${note}` : label,
      audit: Audit.caseLabelled({ by: actor, at }, transaction_id, before, label),
    }));
    // After the case is stored: a label the lake missed is written again when the case is labelled again.
    await this.labels?.put({ transaction_id, label, labeled_at: event.at });
    return after;
  }

  async note(input: AddNote, actor: Actor): Promise<CaseEvent> {
    const { transaction_id, note } = AddNote.parse(input);
    const { event } = await this.change(transaction_id, actor, (before) => ({ after: before, action: "note", note }));
    return event;
  }

  async recordRelease(transactionId: string, note: string, actor: Actor): Promise<CaseEvent> {
    const { event } = await this.change(transactionId, actor, (before, at) => ({
      after: before,
      action: "release",
      note,
      audit: Audit.caseReleased({ by: actor, at }, transactionId, before.user_id, note),
    }));
    return event;
  }

  async labelStats(): Promise<LabelStats> {
    const stats: LabelStats = { by_decision: { REVIEW: { fraud: 0, legitimate: 0 }, BLOCKED: { fraud: 0, legitimate: 0 } }, by_rule: {} };
    const items = await queryAll(this.db, {
      TableName: this.tables.reviews,
      IndexName: "byStatus",
      KeyConditionExpression: "case_status = :closed",
      ExpressionAttributeValues: { ":closed": "closed" },
    }).catch((e: unknown) => Promise.reject(wrap(e)));
    for (const raw of items) {
      const c = CaseItem.parse(raw);
      if (!c.label) continue;
      stats.by_decision[c.decision][c.label] += 1;
      for (const rule of c.rules) (stats.by_rule[rule] ??= { fraud: 0, legitimate: 0 })[c.label] += 1;
    }
    return stats;
  }
}
