import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { BackupError } from "./errors.ts";

/** The manifest's name in a backup's directory: written last, so a directory without it is no backup. */
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = "fraud-backup/1";

/** A manifest larger than this is not one this code wrote (a lake of a million files takes about 200 MB). */
const MANIFEST_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A path inside the data directory, as the manifest names it: relative, `/`-separated, each part
 * letters, digits and `._=-`, none of them `.` or `..`. The restore writes every file at its path,
 * so a backup from elsewhere can name nothing outside the data directory.
 */
export const DataPath = z
  .string()
  .max(1_024)
  .regex(/^[A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*$/, "must be a relative path of letters, digits and ._=-")
  .refine((p) => p.split("/").every((part) => part !== "." && part !== ".."), "must stay inside the data directory");

export const BACKUP_FILE_KINDS = ["database", "lake", "secrets"] as const;

export const BackupFile = z.strictObject({
  path: DataPath,
  /** database: a SQLite database, copied with SQLite's online backup; lake: a Parquet file; secrets: secrets.json. */
  kind: z.enum(BACKUP_FILE_KINDS),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Permission bits, octal, as the file had them in the data directory (secrets.json: 0600). */
  mode: z.string().regex(/^0[0-7]{3}$/),
  /** A database's user_version: the migrations applied to it. */
  schema_version: z.number().int().nonnegative().optional(),
});
export type BackupFile = z.infer<typeof BackupFile>;

export const Manifest = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  created_at: z.iso.datetime(),
  /** The main database's schema version (fraud.db's user_version). */
  schema_version: z.number().int().nonnegative(),
  /** The last outbox id the lake had committed at the moment of the copy: the lake files hold exactly the rows up to it. */
  lake_committed_id: z.number().int().nonnegative(),
  files: z.array(BackupFile).refine((files) => new Set(files.map((f) => f.path)).size === files.length, "each path once"),
});
export type Manifest = z.infer<typeof Manifest>;

/** The manifest of the backup in `dir`, validated; a directory without one is no complete backup. */
export function readManifest(dir: string): Manifest {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    if (statSync(file).size > MANIFEST_MAX_BYTES) throw new BackupError("NOT_A_BACKUP", `${file} is too large to be a backup's manifest`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof BackupError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new BackupError("NOT_A_BACKUP", `${dir} has no ${MANIFEST_FILE}: it is not a complete backup (a backup writes its manifest last)`);
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BackupError("NOT_A_BACKUP", `${file} is not valid JSON`, { cause: e });
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new BackupError("NOT_A_BACKUP", `${file} is not a backup manifest this release reads (${first?.path.join(".") || "manifest"}: ${first?.message})`);
  }
  return parsed.data;
}

export const octalMode = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
