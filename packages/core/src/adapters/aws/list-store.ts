import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import { ListEntry, ListEntryInput, type ListField } from "../../list/lists.ts";
import type { ListStore } from "../../platform/ports.ts";
import { auditPut } from "./audit.ts";
import { conditionFailed, type TableNames, scanAll } from "./clients.ts";
import { wrap } from "./profile-store.ts";
import { type Actor } from "../../user/users.ts";

/** Item 0 holds the id counter; entries are items 1, 2, ... */
const COUNTER_ID = 0;
const ENTRY_FIELDS = ["id", "kind", "field", "value", "reason", "expires_at", "created_at", "created_by"] as const;

function entryFromItem(item: Record<string, unknown>): ListEntry {
  return ListEntry.parse(Object.fromEntries(ENTRY_FIELDS.map((k) => [k, item[k] ?? null])));
}

const lookupOf = (field: string, value: string) => `${field}#${value}`;

export class AwsListStore implements ListStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "lists" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async find(keys: ReadonlyArray<{ field: ListField; value: string }>): Promise<ListEntry[]> {
    const pages = await Promise.all(
      keys.map((k) =>
        this.db.send(
          new QueryCommand({
            TableName: this.tables.lists,
            IndexName: "byLookup",
            KeyConditionExpression: "lookup = :l",
            FilterExpression: "attribute_not_exists(removed_at)",
            ExpressionAttributeValues: { ":l": lookupOf(k.field, k.value) },
          }),
        ),
      ),
    );
    return pages.flatMap((p) => (p.Items ?? []).map(entryFromItem));
  }

  async all(): Promise<ListEntry[]> {
    const out: ListEntry[] = [];
    for (const item of await scanAll(this.db, {
      TableName: this.tables.lists,
      FilterExpression: "id > :counter AND attribute_not_exists(removed_at)",
      ExpressionAttributeValues: { ":counter": COUNTER_ID },
    }))
      out.push(entryFromItem(item));
    return out.sort((a, b) => b.id - a.id);
  }

  private async nextId(): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.lists,
        Key: { id: COUNTER_ID },
        UpdateExpression: "ADD next_id :one",
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return z.object({ next_id: z.number().int().positive() }).parse(out.Attributes).next_id;
  }

  async add(input: ListEntryInput, actor: Actor): Promise<ListEntry> {
    const e = ListEntryInput.parse(input);
    const at = this.clock().toISOString();
    try {
      const entry = ListEntry.parse({ ...e, id: await this.nextId(), created_at: at, created_by: actor.id });
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.lists,
                Item: { ...entry, lookup: lookupOf(entry.field, entry.value) },
                ConditionExpression: "attribute_not_exists(id)",
              },
            },
            auditPut(this.tables.audit, Audit.listEntryAdded({ by: actor, at }, entry)),
          ],
        }),
      );
      return entry;
    } catch (e) {
      throw wrap(e);
    }
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const at = this.clock().toISOString();
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.lists, Key: { id }, ConsistentRead: true }));
    if (!Item || id === COUNTER_ID || Item.removed_at !== undefined) throw new VisibleError("LIST_ENTRY_NOT_FOUND", `no list entry ${id}`);
    const before = entryFromItem(Item);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.lists,
                Key: { id },
                UpdateExpression: "SET removed_at = :at",
                ConditionExpression: "attribute_exists(id) AND attribute_not_exists(removed_at)",
                ExpressionAttributeValues: { ":at": at },
              },
            },
            auditPut(this.tables.audit, Audit.listEntryRemoved({ by: actor, at }, id, before)),
          ],
        }),
      );
    } catch (e) {
      if (conditionFailed(e)) {
        throw new VisibleError("LIST_ENTRY_NOT_FOUND", `no list entry ${id}`);
      }
      throw wrap(e);
    }
  }
}
