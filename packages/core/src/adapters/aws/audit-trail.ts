import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AuditEntry, type AuditQuery } from "../../audit/audit.ts";
import type { AuditTrail } from "../../platform/ports.ts";
import type { TableNames } from "./clients.ts";
import { wrap } from "./profile-store.ts";

const DAY_MS = 86_400_000;
/** Day partitions queried concurrently. */
const DAYS_AT_ONCE = 31;

/**
 * The entry's number for paging: its time in microseconds-ish (ms × 1000) plus 0–999 from the
 * random part of its sort key (`at#uuid`), so that ids follow time and rarely collide.
 */
export function auditEntryId(sk: string, at: string): number {
  const suffix = sk.slice(sk.indexOf("#") + 1).replace(/-/g, "");
  return Date.parse(at) * 1000 + (parseInt(suffix.slice(0, 8), 16) % 1000 || 0);
}

const parseJson = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : null);

/**
 * Reads the append-only audit table (partition per day, sorted by time) newest first, one day at
 * a time back from today (or from `before_id`'s day), for at most `lookbackDays` days.
 */
export class AwsAuditTrail implements AuditTrail {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "audit">,
    private readonly clock: () => Date = () => new Date(),
    private readonly lookbackDays = 366,
  ) {}

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const startMs = query.before_id !== undefined ? Math.min(Math.floor(query.before_id / 1000), this.clock().getTime()) : this.clock().getTime();
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const key of ["entity", "entity_id", "actor"] as const) {
      if (query[key]) {
        filters.push(`#${key} = :${key}`);
        names[`#${key}`] = key;
        values[`:${key}`] = query[key];
      }
    }
    const readDay = async (day: string): Promise<AuditEntry[]> => {
      const found: AuditEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tables.audit,
            KeyConditionExpression: "#day = :day",
            ...(filters.length ? { FilterExpression: filters.join(" AND ") } : {}),
            ExpressionAttributeNames: { ...names, "#day": "day" },
            ExpressionAttributeValues: { ...values, ":day": day },
            ScanIndexForward: false,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const entry = AuditEntry.parse({
            id: auditEntryId(String(item.sk), String(item.at)),
            at: item.at,
            actor: item.actor,
            action: item.action,
            entity: item.entity,
            entity_id: item.entity_id,
            before: parseJson(item.before),
            after: parseJson(item.after),
          });
          if (query.before_id === undefined || entry.id < query.before_id) found.push(entry);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return found.sort((a, b) => b.id - a.id);
    };
    const out: AuditEntry[] = [];
    // Days are read DAYS_AT_ONCE at a time, newest first, until the page is full.
    for (let d = 0; d < this.lookbackDays && out.length < limit; d += DAYS_AT_ONCE) {
      const days = Array.from({ length: Math.min(DAYS_AT_ONCE, this.lookbackDays - d) }, (_, i) =>
        new Date(startMs - (d + i) * DAY_MS).toISOString().slice(0, 10),
      );
      let batch: AuditEntry[][];
      try {
        batch = await Promise.all(days.map(readDay));
      } catch (e) {
        throw wrap(e);
      }
      for (const found of batch) out.push(...found.slice(0, limit - out.length));
    }
    return out;
  }
}
