import Database from "better-sqlite3";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { lakeFilesUpTo } from "../lake.ts";
import { committedLakeId } from "../worker.ts";
import { databaseFile } from "../platform.ts";
import { secretsFile } from "../secrets.ts";
import { BUSY_TIMEOUT_MS } from "../sqlite.ts";
import { BackupError, isNoSpace } from "./errors.ts";
import { copyWithDigest, digestFile, formatBytes, freeBytes, isMissingOrEmptyDir, isSqliteFile, progress, syncPath, syncTree } from "./files.ts";
import { MANIFEST_FILE, MANIFEST_FORMAT, octalMode, type BackupFile, type Manifest } from "./manifest.ts";

/**
 * Pages SQLite's online backup copies per step (16 MB at the 4 KB page size): a step is a progress
 * report, and the copy runs at the disk's speed from 256 pages a step up; the snapshot, not the
 * step size, is what lets it finish under load (docs/decisions/045-backup-in-one-read-transaction.md).
 */
export const BACKUP_PAGES_PER_STEP = 4_096;

export interface BackupOptions {
  dataDir: string;
  /** The backup's directory: made by the backup, or empty. */
  out: string;
  log?: (line: string) => void;
  /** Bytes free on the disk of a directory (tests give their own). */
  freeBytes?: (dir: string) => number;
  now?: () => Date;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  bytes: number;
  elapsedMs: number;
  /** Files of the data directory that are not part of its state and were left out (report spill files, unknown files). */
  skipped: string[];
}

/** A database's snapshot: a connection holding one read transaction, so every page it copies is of the same moment. */
interface Snapshot {
  path: string;
  db: Database.Database;
  schemaVersion: number;
  bytes: number;
  mode: number;
}

/** Directories of the data directory whose files are not its state: DuckDB's spill files of running reports. */
const TRANSIENT_DIRS = new Set(["report-spill"]);
/** Files SQLite keeps beside a database while it is open; the online backup reads through them. */
const SQLITE_SIDECAR = /-(wal|shm|journal)$/;

/**
 * Takes a consistent copy of a data directory while the server, the worker and the dashboard
 * keep running: every SQLite database through SQLite's online backup, each inside one read
 * transaction (a snapshot: writers go on, the copy never restarts), then the lake files that hold
 * exactly the rows the main database's snapshot says the lake has, then secrets.json; with a
 * manifest of sizes, SHA-256 checksums, modes and the schema version. Everything is written under
 * a temporary name beside `out` and renamed to it at the end: a backup that stops half way leaves
 * nothing named like a backup.
 */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const out = resolve(options.out);
  const main = databaseFile(dataDir);
  if (!existsSync(main)) throw new BackupError("NO_DATA", `${dataDir} holds no database (${basename(main)}): nothing to back up`);
  if (out === dataDir || out.startsWith(dataDir + sep)) throw new BackupError("TARGET_NOT_EMPTY", `the backup cannot go inside the data directory ${dataDir}`);
  if (!isMissingOrEmptyDir(out)) throw new BackupError("TARGET_NOT_EMPTY", `${out} exists and is not an empty directory: choose a new or empty one`);

  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(tmp, { mode: 0o700 });
  const snapshots: Snapshot[] = [];
  try {
    const found = findDataFiles(dataDir);
    // Every database's snapshot first, the main one (which holds the lake's offset) first of all.
    for (const path of found.databases) snapshots.push(openSnapshot(dataDir, path));
    const lakeCommittedId = committedLakeId(snapshots[0]!.db);
    const lakeDir = join(dataDir, "lake");
    const lake = lakeFilesUpTo(lakeDir, lakeCommittedId).map((f) => `lake/raw/${f}`);
    const lakeBytes = lake.reduce((n, f) => n + statSync(join(dataDir, f)).size, 0);
    const secretsBytes = found.secrets ? statSync(secretsFile(dataDir)).size : 0;
    const needed = snapshots.reduce((n, s) => n + s.bytes, 0) + lakeBytes + secretsBytes;
    const free = (options.freeBytes ?? freeBytes)(tmp);
    if (needed > free) {
      throw new BackupError("NO_SPACE", `the backup needs about ${formatBytes(needed)} and ${formatBytes(free)} is free on the disk of ${dirname(out)}`);
    }
    log(
      `[backup] snapshot of ${snapshots.map((s) => `${s.path} (schema version ${s.schemaVersion}, ${formatBytes(s.bytes)})`).join(", ")}; ` +
        `lake up to outbox id ${lakeCommittedId}: ${lake.length} files, ${formatBytes(lakeBytes)}`,
    );

    const files: BackupFile[] = [];
    for (const snapshot of snapshots) files.push(await copyDatabase(snapshot, tmp, log));
    // The snapshots end here: the copies are done, and an open read transaction keeps the log from being checkpointed past it.
    for (const s of snapshots.splice(0)) closeSnapshot(s);

    let copied = 0;
    const lakeProgress = progress(lakeBytes, (percent) => log(`[backup] lake: ${percent}% of ${formatBytes(lakeBytes)}`));
    for (const path of lake) {
      const mode = statSync(join(dataDir, path)).mode;
      const digest = await copyLakeFile(join(dataDir, path), join(tmp, path), mode);
      files.push({ path, kind: "lake", ...digest, mode: octalMode(mode) });
      copied += digest.bytes;
      lakeProgress(copied);
    }
    if (found.secrets) {
      const mode = statSync(secretsFile(dataDir)).mode;
      const digest = await copyWithDigest(secretsFile(dataDir), join(tmp, "secrets.json"), mode & 0o777);
      files.push({ path: "secrets.json", kind: "secrets", ...digest, mode: octalMode(mode) });
      log("[backup] secrets.json (the API key, admin password and signing secrets: keep the backup as private as the data directory)");
    }
    if (found.skipped.length > 0) log(`[backup] left out (not the data directory's state): ${found.skipped.join(", ")}`);

    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      created_at: (options.now?.() ?? new Date()).toISOString(),
      schema_version: files.find((f) => f.path === basename(main))?.schema_version ?? 0,
      lake_committed_id: lakeCommittedId,
      files,
    };
    writeFileSync(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    syncPath(join(tmp, MANIFEST_FILE));
    syncTree(tmp);
    // A directory renames onto an empty one; the backup appears whole or not at all.
    renameSync(tmp, out);
    syncPath(dirname(out));
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    const elapsedMs = performance.now() - started;
    log(`[backup] complete: ${out} (${files.length} files, ${formatBytes(bytes)}) in ${(elapsedMs / 1000).toFixed(1)} s`);
    return { dir: out, manifest, bytes, elapsedMs, skipped: found.skipped };
  } catch (e) {
    for (const s of snapshots) closeSnapshot(s);
    rmSync(tmp, { recursive: true, force: true });
    if (isNoSpace(e)) throw new BackupError("NO_SPACE", `the disk of ${dirname(out)} is full: the backup stopped and nothing was kept`, { cause: e });
    throw e;
  }
}

/** The data directory's SQLite databases (the main one first), whether it has secrets.json, and what is left out. */
function findDataFiles(dataDir: string): { databases: string[]; secrets: boolean; skipped: string[] } {
  const databases: string[] = [];
  const skipped: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(dataDir, path).split(sep).join("/");
      if (rel === "lake" || rel === "secrets.json") continue;
      if (TRANSIENT_DIRS.has(rel) || entry.isSymbolicLink()) skipped.push(rel);
      else if (entry.isDirectory()) walk(path);
      else if (!entry.isFile() || SQLITE_SIDECAR.test(entry.name)) continue;
      else if (isSqliteFile(path)) databases.push(rel);
      else skipped.push(rel);
    }
  };
  walk(dataDir);
  const main = basename(databaseFile(dataDir));
  databases.sort((a, b) => Number(b === main) - Number(a === main) || a.localeCompare(b));
  const secrets = existsSync(secretsFile(dataDir)) && lstatSync(secretsFile(dataDir)).isFile();
  return { databases, secrets, skipped: skipped.sort() };
}

function openSnapshot(dataDir: string, path: string): Snapshot {
  const file = join(dataDir, path);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("BEGIN");
    // The first read starts the read transaction: what it sees is what every later step copies.
    db.prepare("SELECT count(*) FROM sqlite_schema").get();
    const pageCount = db.pragma("page_count", { simple: true }) as number;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const schemaVersion = db.pragma("user_version", { simple: true }) as number;
    return { path, db, schemaVersion, bytes: pageCount * pageSize, mode: statSync(file).mode & 0o777 };
  } catch (e) {
    db.close();
    throw e;
  }
}

function closeSnapshot(s: Snapshot): void {
  if (s.db.inTransaction) s.db.exec("COMMIT");
  s.db.close();
}

async function copyDatabase(s: Snapshot, tmp: string, log: (line: string) => void): Promise<BackupFile> {
  const to = join(tmp, s.path);
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  const started = performance.now();
  const copied = progress(s.bytes, (percent) => log(`[backup] ${s.path}: ${percent}% of ${formatBytes(s.bytes)}`));
  await s.db.backup(to, {
    progress: ({ totalPages, remainingPages }) => {
      if (totalPages > 0) copied(((totalPages - remainingPages) / totalPages) * s.bytes);
      return BACKUP_PAGES_PER_STEP;
    },
  });
  chmodSync(to, s.mode);
  syncPath(to);
  const digest = await digestFile(to);
  log(`[backup] ${s.path}: ${formatBytes(digest.bytes)} copied in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { path: s.path, kind: "database", ...digest, mode: octalMode(s.mode), schema_version: s.schemaVersion };
}

async function copyLakeFile(from: string, to: string, mode: number) {
  try {
    return await copyWithDigest(from, to, mode & 0o777);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" || existsSync(from)) throw e;
    throw new BackupError(
      "LAKE_CHANGED",
      `${from} was removed during the backup (compaction removes the files it merged an hour after merging them): run the backup again`,
      { cause: e },
    );
  }
}
