import { Decision } from "../../decision.ts";
import type { DecisionLog, DecisionQuery, RecordResult } from "../../ports.ts";
import { Profile } from "../../profile.ts";
import { guardWrite, type Db } from "./sqlite.ts";

/** Decisions, profiles and the outbox in one SQLite transaction: all durable, or none. */
export class LocalDecisionLog implements DecisionLog {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      existing: db.prepare<[string], { fingerprint: string; data: string }>("SELECT fingerprint, data FROM decisions WHERE transaction_id = ?"),
      profile: db.prepare<[string], { data: string }>("SELECT data FROM profiles WHERE user_id = ?"),
      upsertProfile: db.prepare(
        `INSERT INTO profiles (user_id, email, risk_level, updated_at, data) VALUES (@user_id, @email, @risk_level, @updated_at, @data)
         ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, risk_level = excluded.risk_level, updated_at = excluded.updated_at, data = excluded.data`,
      ),
      insertDecision: db.prepare(
        `INSERT INTO decisions (transaction_id, fingerprint, user_id, decision, score, amount, decided_at, data)
         VALUES (@transaction_id, @fingerprint, @user_id, @decision, @score, @amount, @decided_at, @data)`,
      ),
      insertRule: db.prepare("INSERT INTO decision_rules (seq, rule_id) VALUES (?, ?)"),
      insertOutbox: db.prepare("INSERT INTO outbox (transaction_id, payload, created_at) VALUES (?, ?, ?)"),
    };
  }

  async record(...args: Parameters<DecisionLog["record"]>): Promise<RecordResult> {
    return this.recordSync(...args);
  }

  recordSync(...[tx, fingerprint, score]: Parameters<DecisionLog["record"]>): RecordResult {
    return guardWrite(() =>
      this.db.transaction((): RecordResult => {
        const existing = this.q.existing.get(tx.transaction_id);
        if (existing) {
          const decision = Decision.parse(JSON.parse(existing.data));
          return { status: existing.fingerprint === fingerprint ? "duplicate" : "conflict", decision };
        }
        const row = this.q.profile.get(tx.user_id);
        const profile = row ? Profile.parse(JSON.parse(row.data)) : undefined;
        const { decision: decided, nextProfile, latency_ms } = score(profile);
        const decision: Decision = { ...decided, latency_ms };
        const data = JSON.stringify(decision);
        this.q.upsertProfile.run({
          user_id: nextProfile.user_id,
          email: nextProfile.email,
          risk_level: nextProfile.risk_level,
          updated_at: nextProfile.updated_at,
          data: JSON.stringify(nextProfile),
        });
        const { lastInsertRowid } = this.q.insertDecision.run({
          transaction_id: decision.transaction_id,
          fingerprint,
          user_id: decision.user_id,
          decision: decision.decision,
          score: decision.score,
          amount: tx.amount,
          decided_at: decision.decided_at,
          data,
        });
        for (const r of decision.rules) this.q.insertRule.run(lastInsertRowid, r.id);
        // The outbox points at the decision (payload '' = read it from decisions): written once.
        this.q.insertOutbox.run(decision.transaction_id, "", decision.decided_at);
        return { status: "recorded", decision };
      }).immediate(),
    );
  }

  async get(transactionId: string): Promise<Decision | undefined> {
    const row = this.q.existing.get(transactionId);
    return row ? Decision.parse(JSON.parse(row.data)) : undefined;
  }

  async search(query: DecisionQuery): Promise<Decision[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 50, 1), 500) };
    if (query.decision) {
      where.push("d.decision = @decision");
      params.decision = query.decision;
    }
    if (query.user_id) {
      where.push("d.user_id = @user_id");
      params.user_id = query.user_id;
    }
    if (query.rule_id) {
      where.push("d.seq IN (SELECT seq FROM decision_rules WHERE rule_id = @rule_id)");
      params.rule_id = query.rule_id;
    }
    if (query.min_amount !== undefined) {
      where.push("d.amount >= @min_amount");
      params.min_amount = query.min_amount;
    }
    if (query.max_amount !== undefined) {
      where.push("d.amount <= @max_amount");
      params.max_amount = query.max_amount;
    }
    if (query.before) {
      where.push("d.decided_at < @before");
      params.before = query.before;
    }
    const sql = `SELECT d.data FROM decisions d ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.seq DESC LIMIT @limit`;
    return this.db
      .prepare<Record<string, unknown>, { data: string }>(sql)
      .all(params)
      .map((r) => Decision.parse(JSON.parse(r.data)));
  }

  /** Rows in the decision log, for checks after a crash or a load test. */
  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM decisions").get() as { n: number }).n;
  }

  /** Hit counts per rule, for the rules page. */
  ruleHits(): Record<string, number> {
    const rows = this.db.prepare<[], { rule_id: string; n: number }>("SELECT rule_id, count(*) AS n FROM decision_rules GROUP BY rule_id").all();
    return Object.fromEntries(rows.map((r) => [r.rule_id, r.n]));
  }
}
