import { Demo, Settings } from "@fraud/core";
import { databaseFile, lakeFiles, openLocalPlatform } from "@fraud/core/local";
import { DuckDBInstance } from "@duckdb/node-api";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { threadPriorities, WORKER_NICE } from "../src/priority.ts";
import { freePort, kill9, startProcess, waitForHealth, type Proc } from "./processes.ts";

const KEY = "crash-test-key-0123456789";
const dir = mkdtempSync(join(tmpdir(), "fraud-crash-"));
const running: Proc[] = [];
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) await kill9(p);
  rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, id: string, user: string): Promise<number> {
  try {
    const r = await fetch(`${url}/api/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        transaction_id: id,
        user_id: user,
        amount: 100 + (id.length % 7),
        merchant_id: "M1",
        device_id: `dev_${user}`,
        location: "Douala, CM",
      }),
    });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Sends transactions with up to `concurrency` in flight until stopped; returns acknowledged ids. */
function load(url: string, prefix: string, concurrency: number) {
  const acknowledged: string[] = [];
  const attempted: string[] = [];
  let stop = false;
  let n = 0;
  const lanes = Array.from({ length: concurrency }, async (_, lane) => {
    while (!stop) {
      const id = `${prefix}-${n++}`;
      attempted.push(id);
      const status = await post(url, id, `crash_user_${lane % 8}`);
      if (status === 200) acknowledged.push(id);
      else if (status === 0) break;
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

describe("crash safety", () => {
  it("keeps every acknowledged transaction exactly once after SIGKILL of the server and the worker", async () => {
    const seedPlatform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings });
    await Demo.seedDemo(seedPlatform, new Date());
    seedPlatform.close();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      FRAUD_DATA_DIR: dir,
      PORT: String(port),
      FRAUD_API_KEY: KEY,
      FRAUD_ADMIN_PASSWORD: "crash-test-admin-pw",
      FRAUD_LAKE_FLUSH_SECONDS: "0.2",
      FRAUD_LAKE_FLUSH_RECORDS: "50",
      FRAUD_DASHBOARD: "off",
    };

    const acknowledged: string[] = [];
    const attempted: string[] = [];
    let worker = startProcess("worker.ts", env);
    running.push(worker);
    // The worker lowers its own priority (decisions first) once started: every thread of it.
    const started = Date.now() + 30_000;
    while (!worker.output().includes('"worker started"') && Date.now() < started) await new Promise((r) => setTimeout(r, 50));
    const priorities = [...threadPriorities(worker.child.pid!).values()];
    expect(priorities.length).toBeGreaterThan(5);
    expect(new Set(priorities)).toEqual(new Set([Math.max(getPriority(), WORKER_NICE)]));
    for (let round = 0; round < 3; round++) {
      const server = startProcess("server.ts", env);
      running.push(server);
      await waitForHealth(url);
      const l = load(url, `r${round}`, 16);
      // Kill once enough was acknowledged (however busy the machine is), at a different moment each round.
      const target = 40 + round * 15;
      const until = Date.now() + 30_000;
      while (l.acknowledged.length < target && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await kill9(server); // the server dies with requests in flight
      if (round === 1) {
        await kill9(worker); // and, separately, the worker in the middle of its work
        worker = startProcess("worker.ts", env);
        running.push(worker);
      }
      await l.stop();
      acknowledged.push(...l.acknowledged);
      attempted.push(...l.attempted);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(135);

    // Every acknowledged transaction is in the decision log exactly once; nothing unknown is there.
    const db = new Database(databaseFile(dir), { readonly: true });
    const ids = db.prepare("SELECT transaction_id FROM decisions WHERE transaction_id LIKE 'r%'").pluck().all() as string[];
    expect(new Set(ids).size).toBe(ids.length);
    const stored = new Set(ids);
    for (const id of acknowledged) expect(stored.has(id)).toBe(true);
    const attemptedSet = new Set(attempted);
    for (const id of ids) expect(attemptedSet.has(id)).toBe(true);

    // Profile counts agree with the decision log (velocity counts every attempt in the last 24 h).
    const perUser = db.prepare("SELECT user_id, count(*) AS n FROM decisions WHERE transaction_id LIKE 'r%' GROUP BY user_id").all() as Array<{
      user_id: string;
      n: number;
    }>;
    for (const { user_id, n } of perUser) {
      const profile = JSON.parse((db.prepare("SELECT data FROM profiles WHERE user_id = ?").get(user_id) as { data: string }).data) as { recent: unknown[] };
      expect(profile.recent.length).toBe(n);
    }

    // After the worker catches up, the lake holds every decision exactly once.
    const total = db.prepare("SELECT count(*) FROM decisions").pluck().get() as number;
    const deadline = Date.now() + 30_000;
    let lakeRows: Array<{ transaction_id: string; n: bigint }> = [];
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    while (Date.now() < deadline) {
      const backlog = db
        .prepare("SELECT count(*) FROM outbox WHERE id > (SELECT last_id FROM consumer_offsets WHERE consumer = 'lake')")
        .pluck()
        .get() as number;
      if (backlog === 0) {
        const files = lakeFiles(join(dir, "lake")).map((f) => `'${join(dir, "lake", "raw", f)}'`);
        const reader = await conn.runAndReadAll(
          `SELECT transaction_id, count(*) AS n FROM read_parquet([${files.join(", ")}], hive_partitioning = true) GROUP BY 1`,
        );
        lakeRows = reader.getRowObjects() as Array<{ transaction_id: string; n: bigint }>;
        if (lakeRows.length === total) break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    conn.closeSync();
    duck.closeSync();
    expect(lakeRows.length).toBe(total);
    expect(lakeRows.every((r) => r.n === 1n)).toBe(true);
    const alerts = db.prepare("SELECT count(*) AS n, count(DISTINCT transaction_id) AS d FROM alerts").get() as { n: number; d: number };
    expect(alerts.n).toBe(alerts.d);
    db.close();
    worker.child.kill("SIGTERM");
    await worker.exited;
  }, 120_000);
});
