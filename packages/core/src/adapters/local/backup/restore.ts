import Database from "better-sqlite3";
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { databaseFile } from "../platform.ts";
import { latestSchemaVersion } from "../sqlite.ts";
import { BackupError, isNoSpace } from "./errors.ts";
import { copyWithDigest, formatBytes, freeBytes, isMissingOrEmptyDir, progress, syncPath, syncTree } from "./files.ts";
import { readManifest, type BackupFile, type Manifest } from "./manifest.ts";

/**
 * Where a restore into an existing (empty) data directory stages the files before it moves them
 * into place. While it is there, the restore has not finished, and nothing opens the directory
 * (assertNoRestoreInProgress).
 */
export const RESTORING_DIR = ".restoring";

export interface RestoreOptions {
  /** The backup's directory (one createBackup made). */
  from: string;
  /** The data directory to restore into: missing, or empty. */
  dataDir: string;
  log?: (line: string) => void;
  /** Bytes free on the disk of a directory (tests give their own). */
  freeBytes?: (dir: string) => number;
}

export interface RestoreResult {
  dataDir: string;
  manifest: Manifest;
  bytes: number;
  elapsedMs: number;
}

/**
 * Restores a backup into a data directory that does not exist or is empty (never over data):
 * checks the manifest's schema version against this release's, copies each file with the mode
 * it had, compares every size and SHA-256 with the manifest's, checks each database with SQLite's
 * quick_check, and only then puts the files in place (one rename for a new directory; for an
 * existing one, such as a container's volume, a move per file with the main database last).
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const from = resolve(options.from);
  const dataDir = resolve(options.dataDir);
  const manifest = readManifest(from);
  const main = basename(databaseFile(dataDir));
  const mainFile = manifest.files.find((f) => f.path === main && f.kind === "database");
  if (!mainFile) throw new BackupError("NOT_A_BACKUP", `${from} holds no ${main}: it is not a backup of a data directory`);
  const known = latestSchemaVersion();
  const newest = Math.max(manifest.schema_version, mainFile.schema_version ?? 0);
  if (newest > known) {
    throw new BackupError(
      "SCHEMA_TOO_NEW",
      `the backup's database has schema version ${newest}, newer than this release knows (${known}): restore it with the release that made it, or a later one`,
    );
  }
  if (!isMissingOrEmptyDir(dataDir)) {
    throw new BackupError("TARGET_NOT_EMPTY", `${dataDir} is not empty: a restore goes into a new or empty data directory, never over data`);
  }

  const exists = existsSync(dataDir);
  if (!exists) mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 });
  const staging = exists ? join(dataDir, RESTORING_DIR) : join(dirname(dataDir), `.${basename(dataDir)}.restoring-${process.pid}-${Date.now().toString(36)}`);
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  const free = (options.freeBytes ?? freeBytes)(exists ? dataDir : dirname(dataDir));
  if (bytes > free) throw new BackupError("NO_SPACE", `the restore needs ${formatBytes(bytes)} and ${formatBytes(free)} is free on the disk of ${dataDir}`);
  log(`[restore] ${from}: made ${manifest.created_at}, schema version ${manifest.schema_version}, ${manifest.files.length} files, ${formatBytes(bytes)}`);

  mkdirSync(staging, { mode: 0o700 });
  try {
    let copied = 0;
    const restored = progress(bytes, (percent) => log(`[restore] ${percent}% of ${formatBytes(bytes)} copied and verified`));
    for (const file of manifest.files) {
      await restoreFile(from, staging, file);
      copied += file.bytes;
      restored(copied);
    }
    for (const file of manifest.files.filter((f) => f.kind === "database")) checkDatabase(join(staging, file.path), file);
    syncTree(staging);
    if (exists) {
      // The main database moves last: until it is there, nothing takes the directory for a deployment.
      const entries = readdirSync(staging).sort((a, b) => Number(a === main) - Number(b === main));
      for (const entry of entries) renameSync(join(staging, entry), join(dataDir, entry));
      rmdirSync(staging);
      syncPath(dataDir);
    } else {
      renameSync(staging, dataDir);
      syncPath(dirname(dataDir));
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (isNoSpace(e)) throw new BackupError("NO_SPACE", `the disk of ${dataDir} is full: the restore stopped and nothing was kept`, { cause: e });
    throw e;
  }
  const elapsedMs = performance.now() - started;
  log(
    `[restore] complete: ${dataDir} (schema version ${manifest.schema_version}; a release with a later schema migrates it at its first start) in ${(elapsedMs / 1000).toFixed(1)} s`,
  );
  return { dataDir, manifest, bytes, elapsedMs };
}

async function restoreFile(from: string, staging: string, file: BackupFile): Promise<void> {
  const source = join(from, file.path);
  let stat;
  try {
    stat = lstatSync(source);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new BackupError("BACKUP_DAMAGED", `${file.path} is in the manifest but not in ${from}`);
    throw e;
  }
  // A link, or a directory of the backup that links elsewhere, would have the restore read outside the backup.
  if (!stat.isFile() || !realpathSync(source).startsWith(realpathSync(from) + sep)) {
    throw new BackupError("BACKUP_DAMAGED", `${file.path} in ${from} is not a regular file of the backup`);
  }
  if (stat.size !== file.bytes) throw new BackupError("BACKUP_DAMAGED", `${file.path} has ${stat.size} bytes instead of the manifest's ${file.bytes}`);
  const digest = await copyWithDigest(source, join(staging, file.path), Number.parseInt(file.mode, 8));
  if (digest.bytes !== file.bytes || digest.sha256 !== file.sha256) {
    throw new BackupError("BACKUP_DAMAGED", `${file.path} does not match the manifest's checksum: the backup is damaged`);
  }
}

/** SQLite's own check of a restored database, and its schema version against the manifest's. */
function checkDatabase(path: string, file: BackupFile): void {
  const db = new Database(path, { fileMustExist: true });
  try {
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new BackupError("BACKUP_DAMAGED", `${file.path} fails SQLite's quick_check: ${String(check)}`);
    const version = db.pragma("user_version", { simple: true });
    if (file.schema_version !== undefined && version !== file.schema_version) {
      throw new BackupError("BACKUP_DAMAGED", `${file.path} has schema version ${String(version)}, the manifest says ${file.schema_version}`);
    }
  } finally {
    db.close();
  }
}

/** Refuses a data directory that a restore is still filling (or stopped filling): its files are not yet a deployment's. */
export function assertNoRestoreInProgress(dataDir: string): void {
  if (existsSync(join(dataDir, RESTORING_DIR))) {
    throw new BackupError(
      "RESTORE_INCOMPLETE",
      `a restore into ${dataDir} has not finished (${RESTORING_DIR} is there): empty the directory and run the restore again`,
    );
  }
}
