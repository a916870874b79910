import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { ReviewStore } from "../../platform/ports.ts";
import { AddNote, AssignCase, Case, CaseEvent, LabelCase, type CaseAction, type CaseQuery, type LabelStats } from "../../review/review.ts";
import { ALERTING_DECISIONS, type AlertingDecision } from "../../ruleset/ruleset.ts";
import { audit, guardWrite, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

const CASE_SELECT = `
  SELECT d.transaction_id, d.user_id, d.decision, d.score, d.amount, d.decided_at,
    json_extract(d.data, '$.transaction.currency') AS currency,
    (SELECT json_group_array(json_extract(value, '$.id')) FROM json_each(d.data, '$.rules')) AS rules,
    coalesce(r.status, 'open') AS status, r.assignee, r.label, r.updated_at
  FROM decisions d LEFT JOIN reviews r ON r.transaction_id = d.transaction_id`;

/** SQL for the decisions that open a case; the values are the fixed ALERTING_DECISIONS, never input. */
const OPENS_CASE = `d.decision IN (${ALERTING_DECISIONS.map((d) => `'${d}'`).join(", ")})`;

function toCase(row: unknown): Case {
  const r = row as Record<string, unknown>;
  return Case.parse({ ...r, rules: JSON.parse(String(r.rules ?? "[]")) });
}

/** Cases live next to the decisions they are about, so the queue is one query. */
export class LocalReviewStore implements ReviewStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async queue(query: CaseQuery): Promise<Case[]> {
    const where = [OPENS_CASE];
    const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 100, 1), 500) };
    const status = query.status ?? "open";
    if (status === "open") where.push("coalesce(r.status, 'open') != 'closed'");
    if (status === "closed") where.push("r.status = 'closed'");
    if (query.decision) {
      where.push("d.decision = @decision");
      params.decision = query.decision;
    }
    if (query.assignee) {
      where.push("r.assignee = @assignee");
      params.assignee = query.assignee;
    }
    return this.db
      .prepare(`${CASE_SELECT} WHERE ${where.join(" AND ")} ORDER BY d.seq DESC LIMIT @limit`)
      .all(params)
      .map(toCase);
  }

  async get(transactionId: string): Promise<Case | undefined> {
    return this.getSync(transactionId);
  }

  private getSync(transactionId: string): Case | undefined {
    const row = this.db.prepare(`${CASE_SELECT} WHERE d.transaction_id = ? AND ${OPENS_CASE}`).get(transactionId);
    return row ? toCase(row) : undefined;
  }

  async history(transactionId: string): Promise<CaseEvent[]> {
    return this.db
      .prepare("SELECT id, transaction_id, at, author, action, note FROM review_notes WHERE transaction_id = ? ORDER BY id")
      .all(transactionId)
      .map((r) => CaseEvent.parse(r));
  }

  private mustGet(transactionId: string): Case {
    const c = this.getSync(transactionId);
    if (!c) throw new VisibleError("CASE_NOT_FOUND", `no REVIEW or BLOCKED decision for ${transactionId}`);
    return c;
  }

  private event(transactionId: string, action: CaseAction, note: string, actor: Actor, at: string): CaseEvent {
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO review_notes (transaction_id, at, author, action, note) VALUES (?, ?, ?, ?, ?)")
      .run(transactionId, at, actor.id, action, note);
    return { id: Number(lastInsertRowid), transaction_id: transactionId, at, author: actor.id, action, note };
  }

  private upsert(c: Pick<Case, "transaction_id" | "status" | "assignee" | "label">, actor: Actor, at: string): void {
    this.db
      .prepare(
        `INSERT INTO reviews (transaction_id, status, assignee, label, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(transaction_id) DO UPDATE SET status = excluded.status, assignee = excluded.assignee, label = excluded.label,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(c.transaction_id, c.status, c.assignee, c.label, at, actor.id);
  }

  async assign(input: AssignCase, actor: Actor): Promise<Case> {
    const { transaction_id, assignee } = AssignCase.parse(input);
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const before = this.mustGet(transaction_id);
          if (before.status === "closed") throw new VisibleError("CASE_CLOSED", "this case is closed");
          const at = this.clock().toISOString();
          this.upsert({ transaction_id, status: assignee ? "assigned" : "open", assignee, label: null }, actor, at);
          this.event(transaction_id, "assign", assignee ? `assigned to ${assignee}` : "unassigned", actor, at);
          audit(this.db, Audit.caseAssigned({ by: actor, at }, transaction_id, before, assignee));
          return this.mustGet(transaction_id);
        })
        .immediate(),
    );
  }

  async label(input: LabelCase, actor: Actor): Promise<Case> {
    const { transaction_id, label, note } = LabelCase.parse(input);
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const before = this.mustGet(transaction_id);
          const at = this.clock().toISOString();
          this.upsert({ transaction_id, status: "closed", assignee: before.assignee ?? actor.id, label }, actor, at);
          this.event(transaction_id, "label", note ? `${label}: ${note}` : label, actor, at);
          audit(this.db, Audit.caseLabelled({ by: actor, at }, transaction_id, before, label));
          return this.mustGet(transaction_id);
        })
        .immediate(),
    );
  }

  async note(input: AddNote, actor: Actor): Promise<CaseEvent> {
    const { transaction_id, note } = AddNote.parse(input);
    return guardWrite(() =>
      this.db
        .transaction(() => {
          this.mustGet(transaction_id);
          return this.event(transaction_id, "note", note, actor, this.clock().toISOString());
        })
        .immediate(),
    );
  }

  async recordRelease(transactionId: string, note: string, actor: Actor): Promise<CaseEvent> {
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const c = this.mustGet(transactionId);
          const at = this.clock().toISOString();
          audit(this.db, Audit.caseReleased({ by: actor, at }, transactionId, c.user_id, note));
          return this.event(transactionId, "release", note, actor, at);
        })
        .immediate(),
    );
  }

  async labelStats(): Promise<LabelStats> {
    const stats: LabelStats = { by_decision: { REVIEW: { fraud: 0, legitimate: 0 }, BLOCKED: { fraud: 0, legitimate: 0 } }, by_rule: {} };
    const rows = this.db
      .prepare<[], { decision: AlertingDecision; label: "fraud" | "legitimate"; n: number }>(
        `SELECT d.decision, r.label, count(*) AS n FROM reviews r JOIN decisions d ON d.transaction_id = r.transaction_id
         WHERE r.label IS NOT NULL GROUP BY d.decision, r.label`,
      )
      .all();
    for (const r of rows) stats.by_decision[r.decision][r.label] += r.n;
    const byRule = this.db
      .prepare<[], { rule_id: string; label: "fraud" | "legitimate"; n: number }>(
        `SELECT json_extract(j.value, '$.id') AS rule_id, r.label, count(*) AS n
         FROM reviews r JOIN decisions d ON d.transaction_id = r.transaction_id, json_each(d.data, '$.rules') j
         WHERE r.label IS NOT NULL GROUP BY rule_id, r.label`,
      )
      .all();
    for (const r of byRule) (stats.by_rule[r.rule_id] ??= { fraud: 0, legitimate: 0 })[r.label] += r.n;
    return stats;
  }
}
