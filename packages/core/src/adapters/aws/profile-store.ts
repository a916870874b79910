import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit } from "../../audit/audit.ts";
import { UnavailableError, VisibleError } from "../../errors/errors.ts";
import type { ProfileStore } from "../../platform/ports.ts";
import { Profile, ProfileEdit } from "../../profile/profile.ts";
import { auditPut } from "./audit.ts";
import { errorName, isUnavailableAws, lostRace, retryLostRaces, type TableNames, scanAll } from "./clients.ts";
import { type Actor } from "../../user/users.ts";

/** A profile item: the profile as JSON, and the attributes conditions and searches read. */
const ProfileItem = z.object({ user_id: z.string(), version: z.number(), data: z.string() });

export function profileFromItem(item: unknown): Profile {
  return Profile.parse(JSON.parse(ProfileItem.parse(item).data));
}

function searchKey(p: Profile): string {
  return `${p.user_id} ${p.email ?? ""}`.toLowerCase();
}

/**
 * The one conditional UpdateItem that replaces a profile: it succeeds only if the stored version
 * is still `expectedVersion` (or, for a new customer, if there is no profile yet).
 */
export function profileUpdate(table: string, next: Profile, expectedVersion: number | undefined) {
  return {
    TableName: table,
    Key: { user_id: next.user_id },
    UpdateExpression: "SET #data = :data, #version = :version, email = :email, risk_level = :risk, updated_at = :updated, search_key = :search",
    ConditionExpression: expectedVersion === undefined ? "attribute_not_exists(user_id)" : "#version = :expected",
    ExpressionAttributeNames: { "#data": "data", "#version": "version" },
    ExpressionAttributeValues: {
      ":data": JSON.stringify(next),
      ":version": next.version,
      ":email": next.email,
      ":risk": next.risk_level,
      ":updated": next.updated_at,
      ":search": searchKey(next),
      ...(expectedVersion === undefined ? {} : { ":expected": expectedVersion }),
    },
  };
}

const MAX_ATTEMPTS = 10;

export class AwsProfileStore implements ProfileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "profiles" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(userId: string): Promise<Profile | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.profiles, Key: { user_id: userId }, ConsistentRead: true }));
    return Item ? profileFromItem(Item) : undefined;
  }

  async insertIfMissing(profile: Profile): Promise<boolean> {
    const p = Profile.parse(profile);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.profiles,
          Item: {
            user_id: p.user_id,
            version: p.version,
            data: JSON.stringify(p),
            email: p.email,
            risk_level: p.risk_level,
            updated_at: p.updated_at,
            search_key: searchKey(p),
          },
          ConditionExpression: "attribute_not_exists(user_id)",
        }),
      );
      return true;
    } catch (e) {
      if (errorName(e) === "ConditionalCheckFailedException") return false;
      throw wrap(e);
    }
  }

  async edit(userId: string, input: ProfileEdit, actor: Actor): Promise<Profile> {
    const edit = ProfileEdit.parse(input);
    return retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: lostRace }, async () => {
      // A lost race: another writer (a decision) changed the profile since it was read.
      const before = await this.get(userId);
      if (!before) throw new VisibleError("PROFILE_NOT_FOUND", `no profile for ${userId}`);
      const at = this.clock().toISOString();
      const after: Profile = { ...before, ...edit, updated_at: at, version: before.version + 1 };
      if (edit.last_device_id && !after.known_devices.includes(edit.last_device_id)) {
        after.known_devices = [...after.known_devices, edit.last_device_id];
      }
      const changed = Object.keys(edit) as Array<keyof ProfileEdit>;
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: profileUpdate(this.tables.profiles, after, before.version) },
            auditPut(this.tables.audit, Audit.profileEdited({ by: actor, at }, before, after, changed)),
          ],
        }),
      );
      return after;
    }).catch((e: unknown) => Promise.reject(wrap(e)));
  }

  async search(text: string, limit: number): Promise<Profile[]> {
    const n = Math.min(Math.max(limit, 1), 500);
    const needle = text.toLowerCase();
    const found: Profile[] = [];
    // A scan: the analyst's search over all customers. Large tenants search the lake instead.
    for (const item of await scanAll(this.db, {
      TableName: this.tables.profiles,
      ...(needle ? { FilterExpression: "contains(search_key, :t)", ExpressionAttributeValues: { ":t": needle } } : {}),
    }))
      found.push(profileFromItem(item));
    return found.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0)).slice(0, n);
  }
}

/** Throttling and service errors become UnavailableError (503, retry later); the rest propagates. */
export function wrap(e: unknown): unknown {
  return isUnavailableAws(e) ? new UnavailableError("the data store cannot accept requests now", { cause: e }) : e;
}
