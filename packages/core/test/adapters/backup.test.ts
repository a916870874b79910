import Database from "better-sqlite3";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertNoRestoreInProgress,
  BackupError,
  createBackup,
  databaseFile,
  latestSchemaVersion,
  lakeFilesUpTo,
  LocalLakeWriter,
  loadOrCreateSecrets,
  MANIFEST_FILE,
  openLocalRuntime,
  OutboxWorker,
  readManifest,
  restoreBackup,
  RESTORING_DIR,
  type Manifest,
} from "../../src/adapters/local/index.ts";
import { env } from "../../src/platform/env.ts";
import { tempDirs } from "../support.ts";
import { buildSchemaDonor } from "./fixtures/schema-donor.ts";

const dirs = tempDirs();
let dataDir: string;
let backupDir: string;
afterAll(() => dirs.cleanup());

/** A data directory as a deployment leaves it: every table with rows, lake files, secrets.json. */
beforeAll(async () => {
  dataDir = join(dirs.make("fraud-backup-data-"), "data");
  loadOrCreateSecrets(dataDir, {});
  const p = await buildSchemaDonor(dataDir);
  const lake = await LocalLakeWriter.open(p.lakeDir);
  try {
    await new OutboxWorker(p.db, lake).drain();
  } finally {
    lake.close();
    p.close();
  }
  backupDir = join(dirs.make("fraud-backup-out-"), "first");
  await createBackup({ dataDir, out: backupDir });
}, 60_000);

const tablesOf = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((t) => t !== "sqlite_stat1");
function contents(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(tablesOf(db).map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}
const lakeOf = (dir: string) =>
  existsSync(join(dir, "lake", "raw"))
    ? readdirSync(join(dir, "lake", "raw"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".parquet"))
        .sort()
        .map((f) => ({ f, bytes: readFileSync(join(dir, "lake", "raw", f)).toString("base64") }))
    : [];
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const leftovers = (out: string) => readdirSync(dirname(out)).filter((f) => f.startsWith(`.${basename(out)}.`));

async function refused(promise: Promise<unknown>): Promise<BackupError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BackupError);
  return e as BackupError;
}

describe("backup", () => {
  it("copies every database row, the lake's files and the secrets, with a manifest that matches them", async () => {
    const manifest = readManifest(backupDir);
    expect(manifest.schema_version).toBe(latestSchemaVersion());
    expect(manifest.lake_committed_id).toBeGreaterThan(0);
    const kinds = manifest.files.map((f) => f.kind);
    expect(kinds.filter((k) => k === "database")).toEqual(["database"]);
    expect(kinds.filter((k) => k === "secrets")).toEqual(["secrets"]);
    expect(kinds.filter((k) => k === "lake").length).toBe(lakeOf(dataDir).length);
    expect(contents(join(backupDir, "fraud.db"))).toEqual(contents(databaseFile(dataDir)));
    expect(lakeOf(backupDir)).toEqual(lakeOf(dataDir));
    expect(lakeOf(backupDir).length).toBeGreaterThan(0);
    for (const f of manifest.files) {
      expect(statSync(join(backupDir, f.path)).size).toBe(f.bytes);
      expect(mode(join(backupDir, f.path))).toBe(mode(join(dataDir, f.path)));
    }
    expect(mode(backupDir)).toBe("700");
    expect(mode(join(backupDir, "secrets.json"))).toBe("600");
    expect(mode(join(backupDir, MANIFEST_FILE))).toBe("600");
  });

  it("refuses a directory that holds files, and one inside the data directory", async () => {
    const used = dirs.make("fraud-backup-used-");
    writeFileSync(join(used, "notes.txt"), "mine");
    expect((await refused(createBackup({ dataDir, out: used }))).code).toBe("TARGET_NOT_EMPTY");
    expect(readdirSync(used)).toEqual(["notes.txt"]);
    expect((await refused(createBackup({ dataDir, out: join(dataDir, "backups", "b") }))).code).toBe("TARGET_NOT_EMPTY");
    expect(existsSync(join(dataDir, "backups"))).toBe(false);
    expect((await refused(createBackup({ dataDir: dirs.make("fraud-backup-nodata-"), out: join(used, "x") }))).code).toBe("NO_DATA");
  });

  it("writes into an empty directory that already exists", async () => {
    const out = dirs.make("fraud-backup-empty-");
    await createBackup({ dataDir, out });
    expect(readManifest(out).files.length).toBe(readManifest(backupDir).files.length);
  });

  it("stops before writing when the disk has too little space, and leaves nothing", async () => {
    const out = join(dirs.make("fraud-backup-full-"), "b");
    const e = await refused(createBackup({ dataDir, out, freeBytes: () => 1_000 }));
    expect(e.code).toBe("NO_SPACE");
    expect(e.message).toMatch(/needs about .* and 1.0 kB is free/);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });

  it("never leaves a backup that stopped half way looking complete", async () => {
    const out = join(dirs.make("fraud-backup-stopped-"), "b");
    const stop = new Error("interrupted after the database was copied");
    const log = (line: string) => {
      if (line.includes("fraud.db:") && line.includes("copied")) throw stop;
    };
    await expect(createBackup({ dataDir, out, log })).rejects.toBe(stop);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });
});

describe("restore", () => {
  it("rebuilds the data directory from the backup: the same rows, lake files and modes, owner-only", async () => {
    const target = join(dirs.make("fraud-restore-"), "data");
    const result = await restoreBackup({ from: backupDir, dataDir: target });
    expect(readdirSync(target).sort()).toEqual(["fraud.db", "lake", "secrets.json"]);
    expect(result.manifest.schema_version).toBe(latestSchemaVersion());
    expect(contents(databaseFile(target))).toEqual(contents(databaseFile(dataDir)));
    expect(lakeOf(target)).toEqual(lakeOf(dataDir));
    expect(readFileSync(join(target, "secrets.json"), "utf8")).toBe(readFileSync(join(dataDir, "secrets.json"), "utf8"));
    expect(mode(target)).toBe("700");
    expect(mode(join(target, "secrets.json"))).toBe("600");
    // The restored directory is a deployment: it opens, with the backed-up credentials.
    const rt = await openLocalRuntime(env({ FRAUD_DATA_DIR: target }));
    try {
      expect(rt.secrets.generated).toBe(false);
      expect(await rt.platform.decisions.get("donor-suspicious")).toBeDefined();
    } finally {
      rt.platform.close();
    }
  });

  it("fills an empty directory that exists already (a container's volume) and leaves no staging behind", async () => {
    const target = dirs.make("fraud-restore-volume-");
    await restoreBackup({ from: backupDir, dataDir: target });
    expect(readdirSync(target).sort()).toEqual(["fraud.db", "lake", "secrets.json"]);
  });

  it("refuses a data directory that holds anything", async () => {
    const target = dirs.make("fraud-restore-used-");
    writeFileSync(join(target, "fraud.db"), "");
    expect((await refused(restoreBackup({ from: backupDir, dataDir: target }))).code).toBe("TARGET_NOT_EMPTY");
    expect(readdirSync(target)).toEqual(["fraud.db"]);
  });

  /** A copy of the first backup whose manifest or files `change` alters. */
  function alteredBackup(change: (dir: string, manifest: Manifest) => Manifest | void): string {
    const dir = join(dirs.make("fraud-backup-altered-"), "b");
    mkdirSync(dir);
    for (const f of readdirSync(backupDir, { recursive: true, encoding: "utf8" })) {
      const from = join(backupDir, f);
      if (statSync(from).isDirectory()) mkdirSync(join(dir, f), { recursive: true });
      else writeFileSync(join(dir, f), readFileSync(from));
    }
    const manifest = change(dir, readManifest(dir));
    if (manifest) writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    return dir;
  }

  it.each([
    ["a directory without a manifest", (dir: string) => void writeFileSync(join(dir, MANIFEST_FILE), "{"), "NOT_A_BACKUP"],
    [
      "a file whose bytes differ from its checksum",
      (dir: string) => {
        const file = join(dir, "fraud.db");
        const bytes = readFileSync(file);
        bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
        writeFileSync(file, bytes);
      },
      "BACKUP_DAMAGED",
    ],
    [
      "a file the manifest names but the backup lacks",
      (dir: string, m: Manifest) => ({ ...m, files: [...m.files, { ...m.files[0]!, path: "gone.db" }] }),
      "BACKUP_DAMAGED",
    ],
    [
      "a file reached through a link out of the backup",
      (dir: string) => {
        const outside = join(dirname(dir), "outside");
        mkdirSync(join(outside, "raw"), { recursive: true });
        renameSync(join(dir, "lake"), join(outside, "lake"));
        symlinkSync(join(outside, "lake"), join(dir, "lake"));
      },
      "BACKUP_DAMAGED",
    ],
    ["a path outside the data directory", (_: string, m: Manifest) => ({ ...m, files: [{ ...m.files[0]!, path: "../escape.db" }] }), "NOT_A_BACKUP"],
    ["a schema newer than this release", (_: string, m: Manifest) => ({ ...m, schema_version: latestSchemaVersion() + 1 }), "SCHEMA_TOO_NEW"],
  ] as const)("refuses %s, and creates no data directory", async (_, change, code) => {
    const from = alteredBackup(change);
    const target = join(dirs.make("fraud-restore-refused-"), "data");
    const e = await refused(restoreBackup({ from, dataDir: target }));
    expect(e.code).toBe(code);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dirname(target))).toEqual([]);
    expect(existsSync(join(dirname(from), "escape.db"))).toBe(false);
  });

  it("leaves a directory whose restore stopped unopenable until it is emptied", async () => {
    const target = dirs.make("fraud-restore-stopped-");
    mkdirSync(join(target, RESTORING_DIR));
    expect(() => assertNoRestoreInProgress(target)).toThrow(/has not finished/);
    await expect(openLocalRuntime(env({ FRAUD_DATA_DIR: target }))).rejects.toMatchObject({ code: "RESTORE_INCOMPLETE" });
    expect(existsSync(databaseFile(target))).toBe(false);
  });
});

describe("the lake files of a snapshot", () => {
  it("are those holding exactly the rows up to the snapshot's lake offset", () => {
    const root = dirs.make("fraud-lake-files-");
    const files = {
      "dt=2025-06-14": ["part-1-10.parquet", "part-11-20.parquet", "part-1-20.parquet"],
      // Compacted after the snapshot, past its offset: the worker files up to the offset stand for it.
      "dt=2025-06-15": ["part-21-25.parquet", "part-26-30.parquet", "part-21-30.parquet"],
      "dt=2025-06-16": ["sim-run1.parquet", "part-31-40.parquet.tmp"],
    };
    for (const [day, names] of Object.entries(files)) {
      mkdirSync(join(root, "raw", day), { recursive: true });
      for (const name of names) writeFileSync(join(root, "raw", day, name), "");
    }
    expect(lakeFilesUpTo(root, 25)).toEqual(["dt=2025-06-14/part-1-20.parquet", "dt=2025-06-15/part-21-25.parquet", "dt=2025-06-16/sim-run1.parquet"]);
    expect(lakeFilesUpTo(root, 30)).toEqual(["dt=2025-06-14/part-1-20.parquet", "dt=2025-06-15/part-21-30.parquet", "dt=2025-06-16/sim-run1.parquet"]);
  });
});
