import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import { Alert, type AlertStatus } from "../../monitoring/monitoring.ts";
import type { AlertInbox } from "../../platform/ports.ts";
import { audit, guardWrite, type Db } from "./sqlite.ts";
import { type Actor } from "../../user/users.ts";

function toAlert(row: unknown): Alert {
  const r = row as Record<string, unknown>;
  return Alert.parse({ ...r, rules: JSON.parse(String(r.rules)) });
}

/** The alerts the outbox worker raises for REVIEW and BLOCKED decisions. */
export class LocalAlertInbox implements AlertInbox {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(query: { status?: AlertStatus; limit?: number }): Promise<Alert[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const sql = `SELECT * FROM alerts ${query.status ? "WHERE status = @status" : ""} ORDER BY id DESC LIMIT @limit`;
    return this.db
      .prepare(sql)
      .all({ limit, ...(query.status ? { status: query.status } : {}) })
      .map(toAlert);
  }

  async forTransaction(transactionId: string): Promise<Alert[]> {
    return this.db.prepare("SELECT * FROM alerts WHERE transaction_id = ? ORDER BY id").all(transactionId).map(toAlert);
  }

  async acknowledge(id: number, actor: Actor): Promise<void> {
    guardWrite(() =>
      this.db
        .transaction(() => {
          const changes = this.db.prepare("UPDATE alerts SET status = 'acknowledged' WHERE id = ? AND status = 'open'").run(id).changes;
          if (changes === 0) throw new VisibleError("ALERT_NOT_OPEN", `alert ${id} is not open`);
          audit(this.db, Audit.alertAcknowledged({ by: actor, at: this.clock().toISOString() }, id));
        })
        .immediate(),
    );
  }

  async openCount(): Promise<number> {
    return this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM alerts WHERE status = 'open'").get()?.n ?? 0;
  }
}
