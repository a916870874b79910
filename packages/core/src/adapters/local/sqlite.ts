import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AuditRecord } from "../../audit/audit.ts";
import { DEFAULT_SQLITE_CACHE_MB } from "../../platform/env.ts";
import { UnavailableError } from "../../errors/errors.ts";
import { localAdapterFile } from "./package-files.ts";

export type Db = Database.Database;

/** SQLite errors that mean "cannot write now" rather than a bug. */
const UNAVAILABLE_CODES = new Set([
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_READONLY_DBMOVED",
]);

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

/** A migration's file name: its number (the user_version it brings a database to), then what it adds. */
const MIGRATION_FILE = /^(\d{3})-[a-z0-9-]+\.sql$/;

/**
 * The migrations in `dir`: its `.sql` files, numbered from 001 without a gap. SQLite keeps each
 * CREATE statement's text as written, so a file's text, indentation included, is part of the
 * schema: a released migration is never edited, a change to the schema is a new file.
 */
export function readMigrations(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  files.forEach((file, i) => {
    const number = MIGRATION_FILE.exec(file)?.[1];
    if (Number(number) !== i + 1) throw new Error(`migration ${file} is out of sequence: expected ${String(i + 1).padStart(3, "0")}-<name>.sql`);
  });
  return files.map((file) => readFileSync(join(dir, file), "utf8"));
}

let migrations: readonly string[] | undefined;

/** The schema's migrations, in order (a database's user_version is the number applied), read at the first database opened. */
export function migrationScripts(): readonly string[] {
  migrations ??= readMigrations(localAdapterFile("migrations"));
  return migrations;
}

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
  try {
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * A database written by a newer release of the platform: its schema has migrations this code does
 * not know, so reading or writing it could lose what they added. Migrations only go forward; the
 * way back is a backup made by this release (docs/backup.md).
 */
export class SchemaTooNewError extends Error {
  readonly code = "SCHEMA_TOO_NEW";
  constructor(
    readonly file: string,
    readonly version: number,
    readonly known: number,
  ) {
    super(
      `the database ${file} has schema version ${version}, newer than this release knows (${known}): it was written by a newer release of the platform. ` +
        `Run that release, or restore a backup made with this one (docs/backup.md).`,
    );
    this.name = "SchemaTooNewError";
  }
}

/** The schema version this code brings every database to: the number of migrations it ships. */
export function latestSchemaVersion(): number {
  return migrationScripts().length;
}

/**
 * Applies, each in its own transaction, the migrations after the database's user_version, up to
 * `upTo`. A database at a version past the migrations this code ships is refused (SchemaTooNewError).
 */
export function migrate(db: Db, upTo = migrationScripts().length): void {
  const scripts = migrationScripts();
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > scripts.length) throw new SchemaTooNewError(db.name, version, scripts.length);
  for (let i = version; i < upTo; i++) {
    db.transaction(() => {
      db.exec(scripts[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/** Writes an audit entry in the caller's transaction, so a change and its entry commit together. */
export function audit(db: Db, entry: AuditRecord): void {
  db.prepare("INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
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
