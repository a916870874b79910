/** Why a backup or a restore stopped, each something the operator can act on. */
export const BACKUP_ERROR_CODES = [
  /** The data directory has no database: nothing to back up. */
  "NO_DATA",
  /** The backup's directory, or the data directory to restore into, holds files already. */
  "TARGET_NOT_EMPTY",
  /** Not enough free space on the target's disk. */
  "NO_SPACE",
  /** The directory to restore from has no readable manifest: it is not a complete backup. */
  "NOT_A_BACKUP",
  /** A file of the backup is missing, or its size or checksum differs from the manifest's. */
  "BACKUP_DAMAGED",
  /** The backup's database has a schema newer than this release knows. */
  "SCHEMA_TOO_NEW",
  /** A lake file was removed while it was being copied (a backup that outlasted the lake's grace period). */
  "LAKE_CHANGED",
  /** A restore into this data directory stopped before it finished. */
  "RESTORE_INCOMPLETE",
] as const;
export type BackupErrorCode = (typeof BACKUP_ERROR_CODES)[number];

/** A backup or restore that cannot go on; nothing it wrote is left looking complete. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BackupError";
  }
}

/** Errors of the disk being full, from Node's file functions or from SQLite. */
export function isNoSpace(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL";
}
