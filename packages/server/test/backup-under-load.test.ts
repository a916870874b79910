import { Demo, Settings } from "@fraud/core";
import { databaseFile, lakeFiles, LocalLakeWriter, openLocalPlatform, OutboxWorker } from "@fraud/core/local";
import { DuckDBInstance } from "@duckdb/node-api";
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, kill9, ROOT, startProcess, waitForHealth, type Proc } from "./processes.ts";

const KEY = "backup-test-key-0123456789";
const USERS = 8;
const dir = mkdtempSync(join(tmpdir(), "fraud-backup-load-"));
const dataDir = join(dir, "data");
const running: Proc[] = [];
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) await kill9(p);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `npm run fraud -- <args>` as the operator would, on the data directory under test. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "packages", "cli", "src", "index.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

/** Sends transactions, `concurrency` in flight, until stopped; each acknowledged id is recorded as its answer arrives. */
function load(url: string, concurrency: number) {
  const acknowledged: string[] = [];
  const attempted = new Set<string>();
  let stop = false;
  let n = 0;
  const lanes = Array.from({ length: concurrency }, async (_, lane) => {
    while (!stop) {
      const id = `bk-${n++}`;
      attempted.add(id);
      const r = await fetch(`${url}/api/transactions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ transaction_id: id, user_id: `bk_user_${lane % USERS}`, amount: 50 + (n % 900), merchant_id: "M1", location: "Douala, CM" }),
      });
      await r.arrayBuffer();
      if (r.status === 200) acknowledged.push(id);
    }
  });
  return {
    acknowledged,
    attempted,
    stop: async () => {
      stop = true;
      await Promise.all(lanes);
    },
  };
}

describe("a backup taken while decisions are submitted", () => {
  it("restores every decision acknowledged before it began, with profiles, outbox and lake that agree", async () => {
    const seed = openLocalPlatform({ dataDir, settings: Settings.defaultSettings });
    await Demo.seedDemo(seed, new Date());
    // About 40 MB that nothing reads, so that the copy takes several steps while the server writes.
    const filler = seed.db.prepare("INSERT INTO test_decisions (transaction_id, fingerprint, user_id, decided_at, data) VALUES (?, '', 'filler', '', ?)");
    seed.db.transaction(() => {
      for (let i = 0; i < 40_000; i++) filler.run(`filler-${i}`, "x".repeat(1_000));
    })();
    seed.close();

    // FRAUD_TEST_PORT: a fixed port, where the machine's ports are shared out among checkouts.
    const port = Number(process.env.FRAUD_TEST_PORT) || (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const env = {
      FRAUD_DATA_DIR: dataDir,
      PORT: String(port),
      FRAUD_API_KEY: KEY,
      FRAUD_ADMIN_PASSWORD: "backup-test-admin-pw",
      FRAUD_LAKE_FLUSH_SECONDS: "0.2",
      FRAUD_LAKE_FLUSH_RECORDS: "50",
      FRAUD_DASHBOARD: "off",
    };
    running.push(startProcess("worker.ts", env));
    running.push(startProcess("server.ts", env));
    await waitForHealth(url);
    const l = load(url, 8);
    const until = Date.now() + 30_000;
    while (l.acknowledged.length < 200 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));

    const before = [...l.acknowledged];
    const backup = await cli(["backup", "--out", join(dir, "backup")], env);
    const during = l.acknowledged.length - before.length;
    await l.stop();
    expect(backup.output).toMatch(/\[backup\] fraud\.db: \d+% of/);
    expect(backup.output).toContain(`[backup] complete: ${join(dir, "backup")}`);
    expect(backup.code).toBe(0);
    // The server went on acknowledging decisions while the backup ran.
    expect(during).toBeGreaterThan(0);

    const restoredDir = join(dir, "restored");
    const restore = await cli(["restore", join(dir, "backup")], { ...env, FRAUD_DATA_DIR: restoredDir });
    expect(restore.output).toContain("[restore] complete");
    expect(restore.code).toBe(0);

    const db = new Database(databaseFile(restoredDir));
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const ids = db.prepare("SELECT transaction_id FROM decisions WHERE transaction_id LIKE 'bk-%'").pluck().all() as string[];
      const stored = new Set(ids);
      expect(stored.size).toBe(ids.length);
      expect(before.filter((id) => !stored.has(id))).toEqual([]);
      expect(ids.filter((id) => !l.attempted.has(id))).toEqual([]);

      // Each customer's profile counts exactly the decisions the copy holds for them.
      const perUser = db.prepare("SELECT user_id, count(*) AS n FROM decisions WHERE transaction_id LIKE 'bk-%' GROUP BY user_id").all() as Array<{
        user_id: string;
        n: number;
      }>;
      expect(perUser.length).toBe(USERS);
      for (const { user_id, n } of perUser) {
        const profile = JSON.parse(db.prepare("SELECT data FROM profiles WHERE user_id = ?").pluck().get(user_id) as string) as { recent: unknown[] };
        expect({ user_id, recent: profile.recent.length }).toEqual({ user_id, recent: n });
      }

      // The outbox holds a row for every decision no consumer has taken yet, and only decisions the copy has.
      const orphans = db.prepare("SELECT count(*) FROM outbox o LEFT JOIN decisions d USING (transaction_id) WHERE d.transaction_id IS NULL").pluck().get();
      expect(orphans).toBe(0);
      const offsets = db.prepare("SELECT consumer, last_id FROM consumer_offsets").all() as Array<{ consumer: string; last_id: number }>;
      const lastOutboxId = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get() as number | undefined) ?? 0;
      for (const o of offsets) expect(o.last_id).toBeLessThanOrEqual(lastOutboxId);
      const decisions = db.prepare("SELECT count(*) FROM decisions").pluck().get() as number;
      expect(lastOutboxId).toBe(decisions);
    } finally {
      db.close();
    }

    // The restored deployment's worker brings the lake to exactly one row per decision: the lake
    // files of the backup and its offset agree, nothing is lost or written twice.
    const p = openLocalPlatform({ dataDir: restoredDir, settings: Settings.defaultSettings });
    const lake = await LocalLakeWriter.open(p.lakeDir);
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    try {
      lake.removeUncommitted(p.db.prepare("SELECT last_id FROM consumer_offsets WHERE consumer = 'lake'").pluck().get() as number);
      await new OutboxWorker(p.db, lake).drain();
      const files = lakeFiles(p.lakeDir).map((f) => `'${join(p.lakeDir, "raw", f)}'`);
      const rows = (
        await conn.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT transaction_id) AS d FROM read_parquet([${files.join(", ")}])`)
      ).getRowObjectsJS()[0]!;
      const total = p.db.prepare("SELECT count(*) FROM decisions").pluck().get() as number;
      expect({ rows: Number(rows.n), distinct: Number(rows.d) }).toEqual({ rows: total, distinct: total });
      const alerts = p.db.prepare("SELECT count(*) AS n, count(DISTINCT transaction_id) AS d FROM alerts").get() as { n: number; d: number };
      expect(alerts.n).toBe(alerts.d);
    } finally {
      conn.closeSync();
      duck.closeSync();
      lake.close();
      p.close();
    }
  }, 180_000);
});
