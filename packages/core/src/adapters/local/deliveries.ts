import { z } from "zod";
import type { Alerter } from "../../platform/ports.ts";
import { DECISIONS } from "../../ruleset/ruleset.ts";
import { guardWrite, type Db } from "./sqlite.ts";

export interface DeliveryOptions {
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  concurrency?: number;
}

const Due = z.object({
  alert_id: z.number().int(),
  attempts: z.number().int(),
  transaction_id: z.string(),
  user_id: z.string(),
  decision: z.enum(DECISIONS),
  score: z.number(),
  amount: z.number(),
  rules: z.string().transform((s) => z.array(z.string()).parse(JSON.parse(s))),
  created_at: z.string(),
});

/**
 * Delivers alerts to external channels outside the decision path: a slow or failing channel only
 * delays its own deliveries, which are retried with exponential backoff and end as `failed`
 * (visible in the dashboard) after `maxAttempts`.
 */
export class AlertDeliveries {
  private readonly opts: Required<DeliveryOptions>;
  /** Attempts by result since this process started: delivered, failed to be retried, failed for good. */
  readonly attempts = { delivered: 0, retried: 0, failed: 0 };

  constructor(
    private readonly db: Db,
    private readonly alerters: readonly Alerter[],
    private readonly currency: string,
    options: DeliveryOptions = {},
  ) {
    this.opts = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 600_000, concurrency: 4, ...options };
  }

  get channels(): string[] {
    return this.alerters.map((a) => a.channel);
  }

  /** Queues every alert not yet queued for each channel; idempotent. */
  enqueueNew(now: Date): number {
    if (this.alerters.length === 0) return 0;
    return guardWrite(() => {
      let n = 0;
      for (const channel of this.channels) {
        n += this.db
          .prepare(
            `INSERT INTO alert_deliveries (alert_id, channel, status, next_attempt_at)
             SELECT a.id, ?, 'pending', ? FROM alerts a
             WHERE a.id > coalesce((SELECT max(alert_id) FROM alert_deliveries WHERE channel = ?), 0)
             ON CONFLICT DO NOTHING`,
          )
          .run(channel, now.toISOString(), channel).changes;
      }
      return n;
    });
  }

  /** Attempts the deliveries that are due; returns how many were attempted. */
  async deliverDue(now: Date): Promise<number> {
    let attempted = 0;
    for (const alerter of this.alerters) {
      const due = this.db
        .prepare(
          `SELECT d.alert_id, d.attempts, a.transaction_id, a.user_id, a.decision, a.score, a.amount, a.rules, a.created_at
           FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
           WHERE d.channel = ? AND d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?`,
        )
        .all(alerter.channel, now.toISOString(), this.opts.concurrency * 4)
        .map((r) => Due.parse(r));
      for (let i = 0; i < due.length; i += this.opts.concurrency) {
        await Promise.all(due.slice(i, i + this.opts.concurrency).map((d) => this.attempt(alerter, d)));
      }
      attempted += due.length;
    }
    return attempted;
  }

  private async attempt(alerter: Alerter, d: z.infer<typeof Due>): Promise<void> {
    try {
      await alerter.send({
        transaction_id: d.transaction_id,
        user_id: d.user_id,
        decision: d.decision,
        score: d.score,
        amount: d.amount,
        currency: this.currency,
        rules: d.rules,
        decided_at: d.created_at,
      });
      guardWrite(() =>
        this.db
          .prepare(
            "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE alert_id = ? AND channel = ?",
          )
          .run(new Date().toISOString(), d.alert_id, alerter.channel),
      );
      this.attempts.delivered += 1;
    } catch (e) {
      const attempts = d.attempts + 1;
      const failed = attempts >= this.opts.maxAttempts;
      const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempts - 1));
      const reason = e instanceof Error ? (e.name === "TimeoutError" ? "timed out" : e.message) : String(e);
      guardWrite(() =>
        this.db
          .prepare("UPDATE alert_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE alert_id = ? AND channel = ?")
          .run(failed ? "failed" : "pending", attempts, new Date(Date.now() + delay).toISOString(), reason.slice(0, 300), d.alert_id, alerter.channel),
      );
      if (failed) this.attempts.failed += 1;
      else this.attempts.retried += 1;
    }
  }

  /** Delivery state per status, for the dashboard and health checks. */
  summary(): Record<string, number> {
    const rows = this.db.prepare<[], { status: string; n: number }>("SELECT status, count(*) AS n FROM alert_deliveries GROUP BY status").all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
