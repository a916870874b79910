/**
 * What SQLite's online backup costs, and why `fraud backup` copies inside one read transaction:
 * a database of about 200 MB copied at several page counts per step, then copied while another
 * process writes to it, with and without a read transaction held across the steps (without one,
 * every write between two steps makes the copy start over). Runs alone:
 *   node --import tsx bench/backup.ts [--quick]
 * The figures are in docs/decisions/045-backup-in-one-read-transaction.md.
 */
import { BACKUP_PAGES_PER_STEP, createBackup, openDatabase } from "@fraud/core/local";
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const quick = process.argv.includes("--quick");
const ROWS = quick ? 200_000 : 1_000_000;
const log = (line: string) => console.log(`[bench:backup] ${line}`);
const mb = (bytes: number) => bytes / 1e6;

/** A deployment's database (its schema, WAL mode) with ROWS more rows of 200 characters, its log checkpointed. */
function makeDatabase(file: string): void {
  const db = openDatabase(file);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run("x".repeat(200));
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** Copies `file` to `to`, `pages` per step; `hold`: inside one read transaction. Gives up after `limitMs`. */
async function copy(file: string, to: string, pages: number, hold: boolean, limitMs = 30_000) {
  rmSync(to, { force: true });
  const db = new Database(file, { readonly: true });
  if (hold) {
    db.exec("BEGIN");
    db.prepare("SELECT count(*) FROM sqlite_schema").get();
  }
  const started = performance.now();
  let steps = 0;
  let restarts = 0;
  let last = Infinity;
  try {
    const result = await db.backup(to, {
      progress: ({ remainingPages }) => {
        steps++;
        if (remainingPages > last) restarts++;
        last = remainingPages;
        if (performance.now() - started > limitMs) throw new Error("gave up");
        return pages;
      },
    });
    const ms = performance.now() - started;
    return { ms, mbPerS: mb(result.totalPages * 4096) / (ms / 1000), steps, restarts, finished: true };
  } catch {
    return { ms: performance.now() - started, mbPerS: 0, steps, restarts, finished: false };
  } finally {
    if (db.inTransaction) db.exec("COMMIT");
    db.close();
  }
}

/** Another process inserting 20 rows every millisecond or so, as decisions arrive, until killed. */
function writer(file: string) {
  const betterSqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  return spawn(
    process.execPath,
    [
      "-e",
      `const D = require(${JSON.stringify(betterSqlite)}); const db = new D(${JSON.stringify(file)}); db.pragma("busy_timeout = 5000");
       const ins = db.prepare("INSERT INTO t (v) VALUES (?)");
       (function loop() { db.transaction(() => { for (let i = 0; i < 20; i++) ins.run("y".repeat(200)); })(); setTimeout(loop, 1); })();`,
    ],
    { stdio: "ignore" },
  );
}

export async function runBackupBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "fraud-bench-backup-"));
  try {
    const dataDir = join(dir, "data");
    mkdirSync(dataDir);
    const file = join(dataDir, "fraud.db");
    makeDatabase(file);
    const size = new Database(file, { readonly: true });
    const bytes = (size.pragma("page_count", { simple: true }) as number) * 4096;
    size.close();
    log(`database: ${mb(bytes).toFixed(0)} MB (${ROWS.toLocaleString("en")} rows)`);
    for (const pages of [256, 1_024, BACKUP_PAGES_PER_STEP, 16_384]) {
      const r = await copy(file, join(dir, "copy.db"), pages, true);
      log(`idle, ${pages} pages a step: ${r.mbPerS.toFixed(0)} MB/s (${(r.ms / 1000).toFixed(1)} s, ${r.steps} steps)`);
    }
    const w = writer(file);
    try {
      await new Promise((r) => setTimeout(r, 500));
      for (const hold of [true, false]) {
        const r = await copy(file, join(dir, "copy.db"), BACKUP_PAGES_PER_STEP, hold);
        log(
          `while another process writes, ${hold ? "inside one read transaction" : "without a read transaction"}: ` +
            (r.finished
              ? `${r.mbPerS.toFixed(0)} MB/s, ${r.steps} steps, ${r.restarts} restarts`
              : `not finished after ${(r.ms / 1000).toFixed(0)} s, ${r.restarts} restarts`),
        );
      }
      const backup = await createBackup({ dataDir, out: join(dir, "backup") });
      log(`fraud backup while another process writes: ${mb(backup.bytes).toFixed(0)} MB in ${(backup.elapsedMs / 1000).toFixed(1)} s, with its checksums`);
    } finally {
      w.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runBackupBench();
