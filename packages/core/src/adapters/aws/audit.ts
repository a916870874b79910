import { randomUUID } from "node:crypto";
import type { AuditRecord } from "../../audit/audit.ts";
import type { TransactItem } from "./clients.ts";

/**
 * An audit entry as one item of the transaction that makes the change, so a change and its entry
 * are written together or not at all. Partitioned by day; the sort key keeps entries in time order.
 */
export function auditPut(table: string, entry: AuditRecord): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: {
        day: entry.at.slice(0, 10),
        sk: `${entry.at}#${randomUUID()}`,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        entity: entry.entity,
        entity_id: entry.entity_id,
        ...(entry.before === undefined ? {} : { before: JSON.stringify(entry.before) }),
        ...(entry.after === undefined ? {} : { after: JSON.stringify(entry.after) }),
      },
      ConditionExpression: "attribute_not_exists(sk)",
    },
  };
}
