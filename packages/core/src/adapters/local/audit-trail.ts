import { AuditEntry, type AuditQuery } from "../../audit/audit.ts";
import type { AuditTrail } from "../../platform/ports.ts";
import type { Db } from "./sqlite.ts";

export class LocalAuditTrail implements AuditTrail {
  constructor(private readonly db: Db) {}

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 100, 1), 500) };
    for (const key of ["entity", "entity_id", "actor"] as const) {
      if (query[key]) {
        where.push(`${key} = @${key}`);
        params[key] = query[key];
      }
    }
    if (query.before_id !== undefined) {
      where.push("id < @before_id");
      params.before_id = query.before_id;
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`;
    return this.db
      .prepare<Record<string, unknown>, { before: string | null; after: string | null }>(sql)
      .all(params)
      .map((r) => AuditEntry.parse({ ...r, before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after) }));
  }
}
