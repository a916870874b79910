import { DuckDBInstance } from "@duckdb/node-api";
import { databaseFile, lakeFiles, openDatabase } from "@fraud/core/local";
import { readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import {
  benchDeployment,
  childProcessOf,
  runLoadgen,
  cpuOf,
  entry,
  memoryOf,
  seedDeployment,
  sleep,
  start,
  stop,
  waitForHealth,
  workerCaughtUp,
} from "./processes.ts";

/**
 * Each step of the rate search first sends this many seconds at its rate, over the same
 * connections and straight into the counted ones, whose figures are kept apart (as wrk2's
 * calibration period is): otherwise the first second or two at the new rate (the generator's own
 * start, hundreds of connections opened at once, the server's first large batches) can decide the
 * whole step (docs/decisions/028-rate-search-warms-up-each-step.md). A server that cannot sustain the rate still fails: the
 * backlog of the warm-up carries into the counted seconds, and an error in the warm-up fails the step.
 */
const STEP_WARMUP_S = 3;

/** The rate search's latency goal: the highest rate whose p99 stays under this (`max_rate_p99_under_50ms`). */
export const RATE_SEARCH_MAX_P99_MS = 50;

/** Acknowledged ids missing from the decision log. */
function missingFromDecisionLog(dataDir: string, ids: readonly string[]): number {
  const db = openDatabase(databaseFile(dataDir));
  try {
    const has = db.prepare<[string], { n: number }>("SELECT 1 AS n FROM decisions WHERE transaction_id = ?");
    return ids.filter((id) => has.get(id) === undefined).length;
  } finally {
    db.close();
  }
}

/** Waits for the worker to write every acknowledged id to the lake; returns the ids still missing and duplicates. */
async function checkLake(lakeDir: string, ids: readonly string[], timeoutMs: number): Promise<{ missing: number; duplicates: number; waited_s: number }> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  const started = Date.now();
  const wanted = new Set(ids);
  try {
    for (;;) {
      // The files a reader sees (a compacted day's replaced files are not counted twice); none
      // yet when the worker has not flushed once.
      const files = lakeFiles(lakeDir).map((f) => `'${join(lakeDir, "raw", f).replaceAll("'", "''")}'`);
      const reader =
        files.length === 0
          ? undefined
          : await connection.runAndReadAll(
              `SELECT transaction_id, count(*) AS n FROM read_parquet([${files.join(", ")}], union_by_name = true) WHERE transaction_id LIKE 'e2e-%' GROUP BY 1`,
            );
      const rows = reader?.getRowObjects() ?? [];
      const seen = new Set(rows.map((r) => String(r.transaction_id)));
      const missing = [...wanted].filter((id) => !seen.has(id)).length;
      const duplicates = rows.filter((r) => Number(r.n) > 1).length;
      if (missing === 0 || Date.now() - started > timeoutMs) return { missing, duplicates, waited_s: Math.round((Date.now() - started) / 100) / 10 };
      await sleep(1_000);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export interface E2eFigures {
  rate_per_s: number;
  duration_s: number;
  sent: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  errors: number;
  by_status: Record<string, number>;
  decisions: Record<string, number>;
  /** Acknowledged (HTTP 200) over the whole run: warm-up, the fixed-rate run and the rate search; all are checked. */
  acknowledged: number;
  acknowledged_at_rate: number;
  in_decision_log: number;
  in_lake: number;
  lost: number;
  lake_duplicates: number;
  lake_wait_s: number;
  send_lag_p99_ms: number;
  /** CPU the server and the worker spent per transaction during the fixed-rate run: capacity is about 1,000 / this per core. */
  server_cpu_ms_per_tx: number;
  worker_cpu_ms_per_tx: number;
  /** The load generator's own CPU per request in the fixed-rate run: it shares the two cores. */
  generator_cpu_ms_per_tx: number;
  server_cores_used: number;
  /** 1-minute load average of the machine before and after the fixed-rate run (2 cores: above 2, something else competed). */
  machine_load_average: [number, number];
  /** Whether the server started its dashboard process, what that process used meanwhile (idle: nobody browses), and its memory. */
  dashboard_loaded: boolean;
  dashboard_cpu_ms_per_tx: number;
  dashboard_rss_mb: number | null;
  worker_rss_mb: number;
  max_rate_p99_under_50ms: number;
  search: Array<{
    rate_per_s: number;
    p50_ms: number;
    p99_ms: number;
    max_ms: number;
    errors: number;
    by_status: Record<string, number>;
    send_lag_p99_ms: number;
    /** p99 of each second of the step: over the goal throughout, or in a few seconds. */
    p99_per_second_ms: number[];
    /** The seconds at the step's rate sent right before its counted ones (see STEP_WARMUP_S), and their p99 and errors. */
    warmup_s: number;
    warmup_p99_ms: number;
    warmup_errors: number;
    ok: boolean;
  }>;
  server_rss_mb: number;
  server_peak_rss_mb: number;
  server_rss_after_search_mb: number;
}

export async function runE2eBench({ quick, log = console.error }: { quick: boolean; log?: (line: string) => void }): Promise<E2eFigures> {
  const rate = 1_000;
  const duration = quick ? 8 : 60;
  const { dataDir, port, apiKey, env } = await benchDeployment("fraud-bench-");
  const url = `http://127.0.0.1:${port}`;
  log(`[bench] e2e: data in ${dataDir}`);
  seedDeployment(env);
  // With the Node flags `npm start` gives the server.
  const serverFlags = JSON.parse(readFileSync(entry("server/src/server-node-flags.json"), "utf8")) as string[];
  const server = start("server/src/server.ts", env, join(dataDir, "server.log"), serverFlags);
  const worker = start("server/src/worker.ts", env, join(dataDir, "worker.log"));
  const acknowledged: string[] = [];
  try {
    await waitForHealth(url, server);
    // The server starts the Next dashboard in its own process when it is built, as `npm start` (which builds it) does.
    const dashboardPid = childProcessOf(server.child.pid!, "server/src/dashboard.ts");
    const run = async (r: number, seconds: number, runId: string, warmupSeconds = 0) => {
      const result = await runLoadgen(
        { url, apiKey, rate: r, count: Math.round(r * seconds), warmupCount: Math.round(r * warmupSeconds), runId, seed: acknowledged.length + 1 },
        dataDir,
      );
      acknowledged.push(...result.acknowledged);
      return result;
    };

    log(`[bench] e2e: warming up (${quick ? 1 : 3} s at ${rate}/s, not counted)`);
    await run(rate, quick ? 1 : 3, "e2e-warmup");
    await sleep(1_000);
    log(`[bench] e2e: ${rate} transactions/s for ${duration} s`);
    const dashboardCpu = () => (dashboardPid === undefined ? 0 : cpuOf(dashboardPid));
    const cpuBefore = {
      server: cpuOf(server.child.pid!),
      worker: cpuOf(worker.child.pid!),
      dashboard: dashboardCpu(),
      at: performance.now(),
      load: loadavg()[0]!,
    };
    const main = await run(rate, duration, "e2e-main");
    const wall = (performance.now() - cpuBefore.at) / 1000;
    const serverCpu = cpuOf(server.child.pid!) - cpuBefore.server;
    const workerCpu = cpuOf(worker.child.pid!) - cpuBefore.worker;
    const dashboardCpuUsed = dashboardCpu() - cpuBefore.dashboard;
    const loadDuring = loadavg()[0]!;
    const serverMemory = memoryOf(server.child.pid!);
    log(
      `[bench] e2e: p50 ${main.p50_ms} ms, p99 ${main.p99_ms} ms, max ${main.max_ms} ms, ${main.errors} errors; server RSS ${serverMemory.rss_mb} MB; server CPU ${((serverCpu / main.sent) * 1000).toFixed(3)} ms per transaction, worker ${((workerCpu / main.sent) * 1000).toFixed(3)}, load generator ${main.cpu_ms_per_request}; load average ${loadDuring.toFixed(2)}`,
    );

    // The highest rate with p99 under 50 ms: up in steps until a step fails, then one step between.
    const search: E2eFigures["search"] = [];
    const steps = quick ? [2_000, 4_000] : [2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 10_000, 12_000];
    const stepSeconds = quick ? 2 : 10;
    const warmupSeconds = quick ? 0.5 : STEP_WARMUP_S;
    const tryRate = async (r: number) => {
      await workerCaughtUp(dataDir, 60_000);
      await sleep(1_000);
      const s = await run(r, stepSeconds, `e2e-rate-${r}`, warmupSeconds);
      const warmup = s.warmup ?? { p99_ms: 0, errors: 0, by_status: {} };
      const ok = s.p99_ms < RATE_SEARCH_MAX_P99_MS && s.errors === 0 && warmup.errors === 0;
      const { p99_per_second_ms } = s;
      search.push({
        rate_per_s: r,
        p50_ms: s.p50_ms,
        p99_ms: s.p99_ms,
        max_ms: s.max_ms,
        errors: s.errors,
        by_status: s.by_status,
        send_lag_p99_ms: s.send_lag_p99_ms,
        p99_per_second_ms,
        warmup_s: warmupSeconds,
        warmup_p99_ms: warmup.p99_ms,
        warmup_errors: warmup.errors,
        ok,
      });
      const statuses = s.errors ? ` (statuses ${JSON.stringify(s.by_status)})` : "";
      const warmupStatuses = warmup.errors ? `, ${warmup.errors} errors (statuses ${JSON.stringify(warmup.by_status)})` : "";
      const over = p99_per_second_ms.filter((p) => p >= RATE_SEARCH_MAX_P99_MS).length;
      const seconds = ok
        ? ""
        : `; ${over} of ${p99_per_second_ms.length} seconds over ${RATE_SEARCH_MAX_P99_MS} ms (p99 per second: ${p99_per_second_ms.map((p) => Math.round(p)).join(", ")})`;
      log(
        `[bench] e2e: ${r}/s for ${stepSeconds} s after ${warmupSeconds} s at that rate (p99 ${warmup.p99_ms} ms${warmupStatuses}): p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, ${s.errors} errors${statuses}${ok ? "" : " (over)"}${seconds}`,
      );
      return ok;
    };
    let best = 0;
    let firstFail = 0;
    if (main.p99_ms < RATE_SEARCH_MAX_P99_MS && main.errors === 0) {
      best = rate;
      for (const r of steps) {
        if (!(await tryRate(r))) {
          firstFail = r;
          break;
        }
        best = r;
      }
      if (!quick && firstFail > 0 && firstFail - best > 500) {
        const mid = Math.round((best + firstFail) / 2 / 100) * 100;
        if (await tryRate(mid)) best = mid;
      }
    } else {
      // Not even the fixed rate: look below it.
      for (const r of quick ? [500, 250] : [700, 500, 350, 250, 150, 100]) {
        if (await tryRate(r)) {
          best = r;
          break;
        }
      }
    }
    const afterSearch = memoryOf(server.child.pid!);
    const workerMemory = memoryOf(worker.child.pid!);
    const dashboardMemory = dashboardPid === undefined ? undefined : memoryOf(dashboardPid);

    log(`[bench] e2e: checking ${acknowledged.length} acknowledged transactions in the decision log and the lake`);
    const missingLog = missingFromDecisionLog(dataDir, acknowledged);
    const lake = await checkLake(join(dataDir, "lake"), acknowledged, 60_000);
    const lost = Math.max(missingLog, lake.missing);
    return {
      rate_per_s: rate,
      duration_s: duration,
      sent: main.sent,
      p50_ms: main.p50_ms,
      p90_ms: main.p90_ms,
      p99_ms: main.p99_ms,
      p999_ms: main.p999_ms,
      max_ms: main.max_ms,
      errors: main.errors,
      by_status: main.by_status,
      decisions: main.decisions,
      acknowledged: acknowledged.length,
      acknowledged_at_rate: main.acknowledged.length,
      in_decision_log: acknowledged.length - missingLog,
      in_lake: acknowledged.length - lake.missing,
      lost,
      lake_duplicates: lake.duplicates,
      lake_wait_s: lake.waited_s,
      send_lag_p99_ms: main.send_lag_p99_ms,
      server_cpu_ms_per_tx: Number(((serverCpu / main.sent) * 1000).toFixed(3)),
      worker_cpu_ms_per_tx: Number(((workerCpu / main.sent) * 1000).toFixed(3)),
      generator_cpu_ms_per_tx: main.cpu_ms_per_request,
      server_cores_used: Number((serverCpu / wall).toFixed(2)),
      machine_load_average: [Number(cpuBefore.load.toFixed(2)), Number(loadDuring.toFixed(2))],
      dashboard_loaded: dashboardPid !== undefined,
      dashboard_cpu_ms_per_tx: Number(((dashboardCpuUsed / main.sent) * 1000).toFixed(3)),
      dashboard_rss_mb: dashboardMemory?.rss_mb ?? null,
      worker_rss_mb: workerMemory.rss_mb,
      max_rate_p99_under_50ms: best,
      search,
      server_rss_mb: serverMemory.rss_mb,
      server_peak_rss_mb: afterSearch.peak_rss_mb,
      server_rss_after_search_mb: afterSearch.rss_mb,
    };
  } finally {
    await Promise.all([stop(server), stop(worker)]);
    if (!process.env.FRAUD_BENCH_KEEP) rmSync(dataDir, { recursive: true, force: true });
  }
}
