import { Decision } from "../../decision/decision.ts";
import type { RecordResult, TestDecisionLog } from "../../platform/ports.ts";
import { Profile } from "../../profile/profile.ts";
import type { Transaction } from "../../transaction/transaction.ts";
import { guardWrite, type Db } from "./sqlite.ts";

/** A sandbox's profiles are removed this long after its last test: a lab run lasts seconds. */
const SANDBOX_KEEP_MS = 86_400_000;

/**
 * Test transactions in tables of their own. The review queue, the live figures, rule hits and the
 * outbox (alerts, per-minute figures, the lake and its reports) read only `decisions`, so a test
 * reaches none of them; the customer's profile is read and never written.
 */
export class LocalTestDecisionLog implements TestDecisionLog {
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.q = {
      real: db.prepare<[string], { data: string }>("SELECT data FROM decisions WHERE transaction_id = ?"),
      existing: db.prepare<[string], { fingerprint: string; data: string }>("SELECT fingerprint, data FROM test_decisions WHERE transaction_id = ?"),
      profile: db.prepare<[string], { data: string }>("SELECT data FROM profiles WHERE user_id = ?"),
      sandboxProfile: db.prepare<[string, string], { data: string }>("SELECT data FROM test_profiles WHERE sandbox = ? AND user_id = ?"),
      keepSandboxProfile: db.prepare(
        `INSERT INTO test_profiles (sandbox, user_id, updated_at, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(sandbox, user_id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data`,
      ),
      pruneSandboxes: db.prepare("DELETE FROM test_profiles WHERE updated_at < ?"),
      insert: db.prepare("INSERT INTO test_decisions (transaction_id, fingerprint, user_id, decided_at, data) VALUES (?, ?, ?, ?, ?)"),
    };
  }

  async record(...[tx, fingerprint, sandbox, score]: Parameters<TestDecisionLog["record"]>): Promise<RecordResult> {
    return guardWrite(() => this.db.transaction(() => this.write(tx, fingerprint, sandbox, score)).immediate());
  }

  private write(tx: Transaction, fingerprint: string, sandbox: string | undefined, score: Parameters<TestDecisionLog["record"]>[3]): RecordResult {
    const real = this.q.real.get(tx.transaction_id);
    if (real) return { status: "conflict", decision: Decision.parse(JSON.parse(real.data)) };
    const existing = this.q.existing.get(tx.transaction_id);
    if (existing) return { status: existing.fingerprint === fingerprint ? "duplicate" : "conflict", decision: Decision.parse(JSON.parse(existing.data)) };
    const row = (sandbox === undefined ? undefined : this.q.sandboxProfile.get(sandbox, tx.user_id)) ?? this.q.profile.get(tx.user_id);
    const profile = row ? Profile.parse(JSON.parse(row.data)) : undefined;
    const { decision: decided, nextProfile, latency_ms } = score(profile);
    // Object.assign rather than a spread followed by a property: see parseTransaction.
    const decision: Decision = Object.assign({}, decided, { latency_ms, test: true as const });
    this.q.insert.run(decision.transaction_id, fingerprint, decision.user_id, decision.decided_at, JSON.stringify(decision));
    if (sandbox !== undefined) {
      const now = this.clock().getTime();
      this.q.pruneSandboxes.run(new Date(now - SANDBOX_KEEP_MS).toISOString());
      this.q.keepSandboxProfile.run(sandbox, nextProfile.user_id, new Date(now).toISOString(), JSON.stringify(nextProfile));
    }
    return { status: "recorded", decision };
  }

  async get(transactionId: string): Promise<Decision | undefined> {
    const row = this.q.existing.get(transactionId);
    return row ? Decision.parse(JSON.parse(row.data)) : undefined;
  }
}
