import { randomUUID } from "node:crypto";
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit } from "../../audit/audit.ts";
import { VisibleError } from "../../errors/errors.ts";
import { API_KEY_SCOPES, type ApiKeyInfo, type ApiKeyScope, type ApiKeyStore } from "../../user/ports.ts";
import { generateApiKey, hashApiKey } from "./key-hash.ts";
import { auditPut } from "./audit.ts";
import { conditionFailed, type TableNames, queryAll } from "./clients.ts";
import { wrap } from "./profile-store.ts";
import { type Actor } from "../../user/users.ts";

const APIKEY = "APIKEY";
const KeyItem = z.object({
  sk: z.string(),
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  created_at: z.string(),
  revoked_at: z.string().nullable().default(null),
});

const info = (item: unknown): ApiKeyInfo => {
  const { sk: _hash, ...rest } = KeyItem.parse(item);
  return rest;
};

/** API keys in the users table (pk "APIKEY", sort key the SHA-256 of the key): never the plaintext. */
export class AwsApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "users" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(name: string, scopes: ApiKeyScope[], actor: Actor, plaintext?: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = plaintext ?? generateApiKey();
    const created: ApiKeyInfo = { id: randomUUID(), name, scopes, created_at: this.clock().toISOString(), revoked_at: null };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.users,
                Item: { pk: APIKEY, sk: hashApiKey(key), ...created, revoked_at: null },
                ConditionExpression: "attribute_not_exists(sk)",
              },
            },
            auditPut(this.tables.audit, Audit.apiKeyCreated({ by: actor, at: created.created_at }, created)),
          ],
        }),
      );
    } catch (e) {
      if (conditionFailed(e)) {
        throw new VisibleError("API_KEY_EXISTS", "this API key is already registered");
      }
      throw wrap(e);
    }
    return { key, info: created };
  }

  async verify(key: string): Promise<ApiKeyInfo | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.users, Key: { pk: APIKEY, sk: hashApiKey(key) } }));
    if (!Item) return undefined;
    const found = info(Item);
    return found.revoked_at === null ? found : undefined;
  }

  /** True when a key with this plaintext is already stored (revoked or not). */
  async has(key: string): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.users, Key: { pk: APIKEY, sk: hashApiKey(key) }, ConsistentRead: true }));
    return Item !== undefined;
  }

  private async items(): Promise<Array<z.infer<typeof KeyItem>>> {
    const out: Array<z.infer<typeof KeyItem>> = [];
    for (const item of await queryAll(this.db, {
      TableName: this.tables.users,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": APIKEY },
      ConsistentRead: true,
    }))
      out.push(KeyItem.parse(item));
    return out;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.items()).map(info).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  }

  async revoke(id: string, actor: Actor): Promise<void> {
    const at = this.clock().toISOString();
    const target = (await this.items()).find((k) => k.id === id && k.revoked_at === null);
    if (!target) throw new VisibleError("API_KEY_NOT_FOUND", `no active API key ${id}`);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.users,
                Key: { pk: APIKEY, sk: target.sk },
                UpdateExpression: "SET revoked_at = :at",
                // Still active: revoked_at holds DynamoDB's NULL until the key is revoked.
                ConditionExpression: "attribute_exists(sk) AND attribute_type(revoked_at, :null)",
                ExpressionAttributeValues: { ":at": at, ":null": "NULL" },
              },
            },
            auditPut(this.tables.audit, Audit.apiKeyRevoked({ by: actor, at }, id)),
          ],
        }),
      );
    } catch (e) {
      if (conditionFailed(e)) {
        throw new VisibleError("API_KEY_NOT_FOUND", `no active API key ${id}`);
      }
      throw wrap(e);
    }
  }
}
