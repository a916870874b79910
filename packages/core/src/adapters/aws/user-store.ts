import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Audit, type UserChange } from "../../audit/audit.ts";
import { hashPassword, verifyPassword } from "../../user/credentials.ts";
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { VisibleError } from "../../errors/errors.ts";
import { type SessionStore, type UserStore } from "../../user/ports.ts";
import {
  NewUser,
  Password,
  ROLES,
  sessionTimes,
  sessionValid,
  slidExpiry,
  User,
  usernameTaken,
  type Role,
  type SessionLifetime,
  type Actor,
} from "../../user/users.ts";
import { auditPut } from "./audit.ts";
import { conditionFailed, errorName, type TableNames, queryAll } from "./clients.ts";
import { wrap } from "./profile-store.ts";

// Users table layout (beside the API keys, pk "APIKEY"):
//   pk "USER",    sk username  -> the user, its password hash and `sessions_after`
//   pk "USERID",  sk id        -> the username (user names never change), for get(id)
//   pk "SESSION", sk sha256(token) -> user id, created_at, expires_at (idle, slides), ends_at (absolute),
//                                     idle_ms, ended_at; TTL on `expires_epoch`
const USER = "USER";
const USERID = "USERID";
const SESSION = "SESSION";

const UserItem = z.object({
  id: z.string(),
  username: z.string(),
  display_name: z.string(),
  role: z.enum(ROLES),
  created_at: z.string(),
  disabled_at: z.string().nullable().default(null),
  password_hash: z.string(),
  /** Sessions started at or before this time are void (password changed, account disabled). */
  sessions_after: z.string().nullable().default(null),
  must_change_password: z.boolean().default(false),
});
type UserItem = z.infer<typeof UserItem>;

const toUser = (item: UserItem): User =>
  User.parse({
    id: item.id,
    username: item.username,
    display_name: item.display_name,
    role: item.role,
    created_at: item.created_at,
    disabled_at: item.disabled_at,
    must_change_password: item.must_change_password,
  });

/** Reads users from the users table; shared by the user and session stores. */
class UserItems {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async byUsername(username: string): Promise<UserItem | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: USER, sk: username }, ConsistentRead: true }));
    return Item ? UserItem.parse(Item) : undefined;
  }

  async byId(id: string): Promise<UserItem | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: USERID, sk: id }, ConsistentRead: true }));
    if (!Item) return undefined;
    const user = await this.byUsername(String(Item.username));
    return user?.id === id ? user : undefined;
  }
}

/** Dashboard users in the users table; every change is written with its audit entry in one transaction. */
export class AwsUserStore implements UserStore {
  private readonly items: UserItems;
  /** Checked when the user name is unknown, so that a wrong name costs as long as a wrong password. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "users" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.items = new UserItems(db, tables.users);
  }

  async create(input: NewUser, actor: Actor): Promise<User> {
    const data = NewUser.parse(input);
    const hash = await hashPassword(data.password);
    const user = User.parse({
      id: randomUUID(),
      username: data.username,
      display_name: data.display_name,
      role: data.role,
      created_at: this.clock().toISOString(),
      disabled_at: null,
      must_change_password: false,
    });
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.users,
                Item: { pk: USER, sk: user.username, ...user, password_hash: hash, sessions_after: null },
                ConditionExpression: "attribute_not_exists(sk)",
              },
            },
            {
              Put: {
                TableName: this.tables.users,
                Item: { pk: USERID, sk: user.id, username: user.username },
                ConditionExpression: "attribute_not_exists(sk)",
              },
            },
            auditPut(this.tables.audit, Audit.userCreated({ by: actor, at: user.created_at }, user)),
          ],
        }),
      );
    } catch (e) {
      if (conditionFailed(e)) throw usernameTaken();
      throw wrap(e);
    }
    return user;
  }

  async authenticate(username: string, password: string): Promise<User | undefined> {
    const item = await this.items.byUsername(username.trim().toLowerCase());
    if (!item) {
      this.decoy ??= hashPassword(randomBytes(16).toString("hex"));
      await verifyPassword(password, await this.decoy);
      return undefined;
    }
    const ok = await verifyPassword(password, item.password_hash);
    return ok && item.disabled_at === null ? toUser(item) : undefined;
  }

  async get(id: string): Promise<User | undefined> {
    const item = await this.items.byId(id);
    return item ? toUser(item) : undefined;
  }

  async byUsername(username: string): Promise<User | undefined> {
    const item = await this.items.byUsername(username);
    return item ? toUser(item) : undefined;
  }

  async list(): Promise<User[]> {
    const out: User[] = [];
    for (const item of await queryAll(this.db, {
      TableName: this.tables.users,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": USER },
      ConsistentRead: true,
    }))
      out.push(toUser(UserItem.parse(item)));
    // The sort key is the user name: already in order.
    return out;
  }

  /** Applies `set` to the user (still there, same id) with its audit entry, in one transaction. */
  private async change(
    id: string,
    actor: Actor,
    how: UserChange,
    set: (before: UserItem, at: string) => { expression: string; values: Record<string, unknown>; names?: Record<string, string>; after: UserItem },
  ): Promise<User> {
    const before = await this.items.byId(id);
    if (!before) throw new VisibleError("USER_NOT_FOUND", "no such user");
    const at = this.clock().toISOString();
    const { expression, values, names, after } = set(before, at);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.users,
                Key: { pk: USER, sk: before.username },
                UpdateExpression: expression,
                ConditionExpression: "attribute_exists(sk) AND id = :id",
                ExpressionAttributeValues: { ...values, ":id": id },
                ...(names ? { ExpressionAttributeNames: names } : {}),
              },
            },
            auditPut(this.tables.audit, Audit.userChanged({ by: actor, at }, how, before, after)),
          ],
        }),
      );
    } catch (e) {
      if (conditionFailed(e)) throw new VisibleError("USER_NOT_FOUND", "no such user");
      throw wrap(e);
    }
    return toUser(after);
  }

  async setRole(id: string, role: Role, actor: Actor): Promise<User> {
    return this.change(id, actor, "user.role", (before) => ({
      expression: "SET #role = :role",
      values: { ":role": role },
      names: { "#role": "role" },
      after: { ...before, role },
    }));
  }

  async setDisabled(id: string, disabled: boolean, actor: Actor): Promise<User> {
    return this.change(id, actor, disabled ? "user.disable" : "user.enable", (before, at) =>
      disabled
        ? { expression: "SET disabled_at = :at, sessions_after = :at", values: { ":at": at }, after: { ...before, disabled_at: at, sessions_after: at } }
        : { expression: "SET disabled_at = :null", values: { ":null": null }, after: { ...before, disabled_at: null } },
    );
  }

  async setPassword(id: string, password: string, actor: Actor, options: { temporary?: boolean } = {}): Promise<void> {
    const hash = await hashPassword(Password.parse(password));
    const temporary = options.temporary === true;
    await this.change(id, actor, temporary ? "user.password_reset" : "user.password", (before, at) => ({
      expression: "SET password_hash = :hash, sessions_after = :at, must_change_password = :must",
      values: { ":hash": hash, ":at": at, ":must": temporary },
      after: { ...before, password_hash: hash, sessions_after: at, must_change_password: temporary },
    }));
  }
}

/** Session tokens are 32 random bytes: a plain SHA-256 is enough to store them (unlike passwords). */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const SessionItem = z.object({
  user_id: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  ends_at: z.string(),
  idle_ms: z.number().int().positive(),
  ended_at: z.string().nullable().default(null),
});

const epoch = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

/**
 * Sessions in the users table (pk "SESSION", sort key the token's hash). Expired items are removed
 * by the table's TTL, which follows the idle expiry; ending a session marks it (the dashboard may
 * update, not delete, items), and disabling a user or changing their password voids every session
 * started before that moment.
 */
export class AwsSessionStore implements SessionStore {
  private readonly items: UserItems;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "users">,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.items = new UserItems(db, tables.users);
  }

  async start(userId: string, lifetime: SessionLifetime): Promise<{ token: string; ends_at: string }> {
    const token = randomBytes(32).toString("base64url");
    const now = this.clock();
    const { expires_at, ends_at } = sessionTimes(now, lifetime);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.users,
          Item: {
            pk: SESSION,
            sk: hashToken(token),
            user_id: userId,
            created_at: now.toISOString(),
            expires_at,
            ends_at,
            idle_ms: lifetime.idleMs,
            ended_at: null,
            expires_epoch: epoch(expires_at),
          },
          ConditionExpression: "attribute_not_exists(sk)",
        }),
      );
    } catch (e) {
      throw wrap(e);
    }
    return { token, ends_at };
  }

  async resolve(token: string): Promise<User | undefined> {
    const key = { pk: SESSION, sk: hashToken(token) };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.users, Key: key, ConsistentRead: true }));
    if (!Item) return undefined;
    const session = SessionItem.parse(Item);
    const now = this.clock();
    if (session.ended_at !== null || !sessionValid(session, now)) return undefined;
    const user = await this.items.byId(session.user_id);
    if (!user || user.disabled_at !== null) return undefined;
    if (user.sessions_after !== null && session.created_at <= user.sessions_after) return undefined;
    const expires = slidExpiry(session, now);
    if (expires && !(await this.slide(key, expires))) return undefined;
    return toUser(user);
  }

  /** Moves the idle expiry (and the TTL with it); false when the session was ended meanwhile. */
  private async slide(key: { pk: string; sk: string }, expires: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.users,
          Key: key,
          UpdateExpression: "SET expires_at = :expires, expires_epoch = :epoch",
          ConditionExpression: "attribute_exists(sk) AND attribute_type(ended_at, :null)",
          ExpressionAttributeValues: { ":expires": expires, ":epoch": epoch(expires), ":null": "NULL" },
        }),
      );
      return true;
    } catch (e) {
      if (errorName(e) === "ConditionalCheckFailedException") return false;
      throw wrap(e);
    }
  }

  async end(token: string): Promise<void> {
    const at = this.clock();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.users,
          Key: { pk: SESSION, sk: hashToken(token) },
          UpdateExpression: "SET ended_at = :at, expires_epoch = :epoch",
          ConditionExpression: "attribute_exists(sk)",
          ExpressionAttributeValues: { ":at": at.toISOString(), ":epoch": Math.ceil(at.getTime() / 1000) },
        }),
      );
    } catch (e) {
      if (errorName(e) === "ConditionalCheckFailedException") return;
      throw wrap(e);
    }
  }
}
