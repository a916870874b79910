import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AuditRecord } from "../../audit.ts";
import { DEFAULT_SQLITE_CACHE_MB } from "../../env.ts";
import { UnavailableError } from "../../errors.ts";

export type Db = Database.Database;

/** SQLite errors that mean "cannot write now" rather than a bug. */
const UNAVAILABLE_CODES = new Set(["SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY_DBMOVED"]);

export function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return UNAVAILABLE_CODES.has(code) || code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_FULL");
}

/** When a write last failed for lack of space or permission (performance.now()), for health checks. */
export const storeHealth = { lastUnavailableAt: -Infinity };

/** Runs a write; storage failures become UnavailableError (the API answers 503), bugs propagate. */
export function guardWrite<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isUnavailable(e)) {
      storeHealth.lastUnavailableAt = performance.now();
      throw new UnavailableError("the data store cannot accept writes", { cause: e });
    }
    throw e;
  }
}

const MIGRATIONS: string[] = [
  `
  CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY,
    email TEXT,
    risk_level TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    user_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    score INTEGER NOT NULL,
    amount REAL NOT NULL,
    decided_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX decisions_user ON decisions(user_id, seq);
  CREATE INDEX decisions_outcome ON decisions(decision, seq);
  CREATE TABLE decision_rules (
    seq INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    PRIMARY KEY (rule_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE consumer_offsets (
    consumer TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE rulesets (
    version INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  CREATE TABLE lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    expires_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT
  ) STRICT;
  CREATE INDEX lists_lookup ON lists(field, value) WHERE removed_at IS NULL;
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    score INTEGER NOT NULL,
    amount REAL NOT NULL,
    rules TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
  ) STRICT;
  CREATE TABLE metrics_minute (
    minute TEXT NOT NULL,
    decision TEXT NOT NULL,
    count INTEGER NOT NULL,
    amount REAL NOT NULL,
    score_sum INTEGER NOT NULL,
    latency_sum REAL NOT NULL,
    latency_max REAL NOT NULL,
    PRIMARY KEY (minute, decision)
  ) STRICT;
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT
  ) STRICT;
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be changed'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be deleted'); END;
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
  `,
  // 2: people and the review queue.
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
  ) STRICT;
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  -- One row per reviewed transaction; the label feeds precision and detection figures.
  CREATE TABLE reviews (
    transaction_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
    assignee TEXT,
    label TEXT CHECK (label IN ('fraud', 'legitimate')),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  ) STRICT;
  CREATE TABLE review_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
  ) STRICT;
  CREATE INDEX review_notes_tx ON review_notes(transaction_id, id);
  `,
  // 3: delivery of alerts to external channels, retried with backoff.
  `
  CREATE TABLE alert_deliveries (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (alert_id, channel)
  ) STRICT;
  CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
  `,
  // 4: analysts' saved reports, and backtest results kept with the ruleset version they tested.
  `
  CREATE TABLE reports (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  ) STRICT;
  CREATE TABLE backtests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ruleset_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX backtests_version ON backtests(ruleset_version, id);
  `,
  // 5: sessions end when idle (expires_at slides) or at an absolute end; sessions from before
  // have neither, so their users sign in again.
  `
  DELETE FROM sessions;
  ALTER TABLE sessions ADD COLUMN ends_at TEXT;
  ALTER TABLE sessions ADD COLUMN idle_ms INTEGER;
  `,
  // 6: a version of the allow/block lists, raised by every change, so scoring can keep them in
  // memory and reload them only when they changed.
  `
  INSERT INTO kv (key, value) VALUES ('lists_version', '0') ON CONFLICT(key) DO NOTHING;
  CREATE TRIGGER lists_version_insert AFTER INSERT ON lists BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lists_version'; END;
  CREATE TRIGGER lists_version_update AFTER UPDATE ON lists BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lists_version'; END;
  CREATE TRIGGER lists_version_delete AFTER DELETE ON lists BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lists_version'; END;
  `,
  // 7: a version of the API keys, raised by every change, so a key revoked by one process (the
  // dashboard, the CLI) is refused by the server from its next request.
  `
  INSERT INTO kv (key, value) VALUES ('api_keys_version', '0') ON CONFLICT(key) DO NOTHING;
  CREATE TRIGGER api_keys_version_insert AFTER INSERT ON api_keys BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'api_keys_version'; END;
  CREATE TRIGGER api_keys_version_update AFTER UPDATE ON api_keys BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'api_keys_version'; END;
  CREATE TRIGGER api_keys_version_delete AFTER DELETE ON api_keys BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'api_keys_version'; END;
  `,
  // 8: the dashboard's test transactions, in tables of their own that nothing else reads (no
  // outbox row, no profile written), and a lab run's copies of the customers' profiles.
  `
  CREATE TABLE test_decisions (
    transaction_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    user_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE test_profiles (
    sandbox TEXT NOT NULL,
    user_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (sandbox, user_id)
  ) STRICT;
  `,
  // 9: sign-in attempts per user name and per address (SignInThrottle), removed once expired; and
  // accounts whose password an admin reset, which must choose a new one before anything else.
  `
  CREATE TABLE sign_in_attempts (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts(expires_at);
  ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
  `,
];

export interface OpenOptions {
  /** FULL survives power loss at the cost of an fsync per decision; NORMAL survives process crashes. */
  synchronous?: "NORMAL" | "FULL";
  /**
   * WAL pages after which a commit of this connection checkpoints (SQLite's default: 1,000). A
   * checkpoint copies pages and syncs the file: the server sets this high and leaves checkpoints
   * to the worker, so no decision waits for one.
   */
  walAutocheckpointPages?: number;
  /**
   * SQLite's page cache for this connection (MiB; SQLite's default: 2). Each decision reads and
   * writes its customer's profile and an index page per customer, all over the file: with 2 MiB a
   * busy database missed the cache on most of them (a read from the OS and the page parsed again).
   * Pages are cached as they are used, so memory grows only up to this.
   */
  cacheMiB?: number;
}

/** How long a write waits for another connection's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/** Opens (and migrates) the embedded database in WAL mode. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  // Owner-only, like every directory the platform makes (see ensureDataDir).
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (options.walAutocheckpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(options.walAutocheckpointPages))}`);
  db.pragma("foreign_keys = ON");
  // Negative: a size in KiB rather than a number of pages.
  db.pragma(`cache_size = ${-Math.round((options.cacheMiB ?? DEFAULT_SQLITE_CACHE_MB) * 1024)}`);
  const version = db.pragma("user_version", { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}

/** Writes an audit entry in the caller's transaction, so a change and its entry commit together. */
export function audit(
  db: Db,
  entry: AuditRecord,
): void {
  db.prepare(
    "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(
    entry.at,
    entry.actor,
    entry.action,
    entry.entity,
    entry.entity_id,
    entry.before === undefined ? null : JSON.stringify(entry.before),
    entry.after === undefined ? null : JSON.stringify(entry.after),
  );
}

/**
 * Something read from the database and kept in memory, rebuilt only when a version number in `kv`
 * has moved: triggers raise it on every change, whichever process makes it. The version is read
 * at most every `checkEveryMs` (0: at every use); `invalidate()` after a change made through this
 * connection, so it applies at once here.
 */
export class VersionedCache<T> {
  private readonly version;
  private held: { version: string; checkedAt: number; value: T } | undefined;

  constructor(
    db: Db,
    versionKey: string,
    private readonly load: () => T,
    private readonly checkEveryMs: number,
  ) {
    this.version = db.prepare<[], { value: string }>(`SELECT value FROM kv WHERE key = '${versionKey}'`);
  }

  get(): T {
    const now = performance.now();
    if (this.held && now - this.held.checkedAt < this.checkEveryMs) return this.held.value;
    const version = this.version.get()?.value ?? "0";
    if (this.held?.version === version) {
      this.held.checkedAt = now;
      return this.held.value;
    }
    this.held = { version, checkedAt: now, value: this.load() };
    return this.held.value;
  }

  invalidate(): void {
    this.held = undefined;
  }
}
