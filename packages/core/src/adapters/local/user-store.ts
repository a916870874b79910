import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { Audit, type UserChange } from "../../audit/audit.ts";
import { hashPassword, verifyPassword } from "../../user/credentials.ts";
import { VisibleError } from "../../errors/errors.ts";
import { type SessionStore, type UserStore } from "../../user/ports.ts";
import {
  NewUser,
  Password,
  sessionTimes,
  sessionValid,
  slidExpiry,
  User,
  usernameTaken,
  type Role,
  type SessionLifetime,
  type Actor,
} from "../../user/users.ts";
import { audit, guardWrite, isUnavailable, storeHealth, type Db } from "./sqlite.ts";

export { hashPassword, verifyPassword };

const COLUMNS = "id, username, display_name, role, created_at, disabled_at, must_change_password";

/** A users row: SQLite keeps the flag as 0 or 1. */
const UserRow = User.extend({ must_change_password: z.union([z.literal(0), z.literal(1)]).transform((flag) => flag === 1) });

export class LocalUserStore implements UserStore {
  /** Checked when the user name is unknown, so that a wrong name costs as long as a wrong password. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

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
    return guardWrite(() =>
      this.db
        .transaction(() => {
          if (this.db.prepare("SELECT 1 FROM users WHERE username = ?").get(user.username)) {
            throw usernameTaken();
          }
          this.db
            .prepare("INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .run(user.id, user.username, user.display_name, user.role, hash, user.created_at);
          audit(this.db, Audit.userCreated({ by: actor, at: user.created_at }, user));
          return user;
        })
        .immediate(),
    );
  }

  async authenticate(username: string, password: string): Promise<User | undefined> {
    const row = this.db
      .prepare<[string], { password_hash: string }>(`SELECT ${COLUMNS}, password_hash FROM users WHERE username = ?`)
      .get(username.trim().toLowerCase());
    if (!row) {
      this.decoy ??= hashPassword(randomBytes(16).toString("hex"));
      await verifyPassword(password, await this.decoy);
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    const user = UserRow.parse(row);
    return ok && user.disabled_at === null ? user : undefined;
  }

  async get(id: string): Promise<User | undefined> {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id);
    return row ? UserRow.parse(row) : undefined;
  }

  async byUsername(username: string): Promise<User | undefined> {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username);
    return row ? UserRow.parse(row) : undefined;
  }

  async list(): Promise<User[]> {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM users ORDER BY username`)
      .all()
      .map((r) => UserRow.parse(r));
  }

  private change(id: string, actor: Actor, how: UserChange, apply: (before: User) => void): User {
    return guardWrite(() =>
      this.db
        .transaction(() => {
          const row = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id);
          if (!row) throw new VisibleError("USER_NOT_FOUND", "no such user");
          const before = UserRow.parse(row);
          apply(before);
          const after = UserRow.parse(this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id));
          audit(this.db, Audit.userChanged({ by: actor, at: this.clock().toISOString() }, how, before, after));
          return after;
        })
        .immediate(),
    );
  }

  async setRole(id: string, role: Role, actor: Actor): Promise<User> {
    return this.change(id, actor, "user.role", () => {
      this.db.prepare("UPDATE users SET role = ? WHERE id = ?").run(role, id);
    });
  }

  async setDisabled(id: string, disabled: boolean, actor: Actor): Promise<User> {
    return this.change(id, actor, disabled ? "user.disable" : "user.enable", () => {
      this.db.prepare("UPDATE users SET disabled_at = ? WHERE id = ?").run(disabled ? this.clock().toISOString() : null, id);
      if (disabled) this.db.prepare("DELETE FROM sessions WHERE user_id = ?").run(id);
    });
  }

  async setPassword(id: string, password: string, actor: Actor, options: { temporary?: boolean } = {}): Promise<void> {
    const hash = await hashPassword(Password.parse(password));
    const temporary = options.temporary === true;
    this.change(id, actor, temporary ? "user.password_reset" : "user.password", () => {
      this.db.prepare("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?").run(hash, temporary ? 1 : 0, id);
      this.db.prepare("DELETE FROM sessions WHERE user_id = ?").run(id);
    });
  }
}

/** Session tokens are 32 random bytes: a plain SHA-256 is enough to store them (unlike passwords). */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const SessionRow = z.object({ user_id: z.string(), expires_at: z.string(), ends_at: z.string(), idle_ms: z.number().int().positive() });

export class LocalSessionStore implements SessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async start(userId: string, lifetime: SessionLifetime): Promise<{ token: string; ends_at: string }> {
    const token = randomBytes(32).toString("base64url");
    const now = this.clock();
    const { expires_at, ends_at } = sessionTimes(now, lifetime);
    guardWrite(() =>
      this.db.transaction(() => {
        this.db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(now.toISOString());
        this.db
          .prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ends_at, idle_ms) VALUES (?, ?, ?, ?, ?, ?)")
          .run(hashToken(token), userId, now.toISOString(), expires_at, ends_at, lifetime.idleMs);
      })(),
    );
    return { token, ends_at };
  }

  async resolve(token: string): Promise<User | undefined> {
    const now = this.clock();
    const hash = hashToken(token);
    const raw = this.db.prepare<[string]>("SELECT user_id, expires_at, ends_at, idle_ms FROM sessions WHERE token_hash = ?").get(hash);
    if (!raw) return undefined;
    const session = SessionRow.parse(raw);
    if (!sessionValid(session, now)) return undefined;
    const row = this.db.prepare<[string]>(`SELECT ${COLUMNS} FROM users WHERE id = ? AND disabled_at IS NULL`).get(session.user_id);
    if (!row) return undefined;
    const expires = slidExpiry(session, now);
    if (expires) this.slide(hash, expires);
    return UserRow.parse(row);
  }

  /** A store that cannot write (disk full) must not sign everyone out: the session keeps its expiry. */
  private slide(hash: string, expires: string): void {
    try {
      this.db.prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?").run(expires, hash);
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      storeHealth.lastUnavailableAt = performance.now();
    }
  }

  async end(token: string): Promise<void> {
    guardWrite(() => this.db.prepare("DELETE FROM sessions WHERE token_hash = ?").run(hashToken(token)));
  }
}
