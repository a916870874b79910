/**
 * Decisions while reports run beside them: the server and the worker as `npm start` runs them,
 * over a simulated lake, paced load at a fixed rate for a while with no report, then as long again
 * while a client of the API runs the built-in reports one after another over the whole lake
 * (`GET /api/reports/<name>/run`). Reports run in a process of their own at a lower priority, on
 * one DuckDB thread, with DuckDB's memory limit (packages/core/src/adapters/local/report-process.ts):
 * the two p99s say what a report still takes from decisions. Called by bench/index.ts; also runs
 * alone:
 *   node --import tsx bench/beside-reports.ts [--quick]
 */
import { Report } from "@fraud/core";
import { databaseFile, openDatabase, simulateLake } from "@fraud/core/local";
import { readFileSync, rmSync } from "node:fs";
import { getPriority, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  benchDeployment,
  runLoadgen,
  childProcessOf,
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
import type { LoadgenResult } from "./loadgen.ts";

const RATE = 1_000;
const DAYS = 30;

export interface LatencyFigures {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  by_status: Record<string, number>;
}

export interface BesideReportsFigures {
  rate_per_s: number;
  /** Seconds of paced load in each half: without reports, then with them. */
  duration_s: number;
  lake_rows: number;
  without_reports: LatencyFigures;
  with_reports: LatencyFigures;
  /** Reports answered during the second half, those refused or failed (by code), and their wall-clock times. */
  reports_run: number;
  reports_failed: Record<string, number>;
  report_p50_ms: number;
  report_max_ms: number;
  /** CPU the report process used during the second half, its share of one core, its nice value and memory. */
  report_process_cpu_s: number;
  report_process_cores_used: number;
  report_process_nice: number | null;
  report_process_rss_mb: number | null;
  server_cores_used: { without_reports: number; with_reports: number };
  machine_load_average: [number, number];
}

/** The report process the server started, once a report has run. */
const reportProcessOf = (serverPid: number) => childProcessOf(serverPid, "report-process-child.ts");

const latency = (r: LoadgenResult): LatencyFigures => ({ p50_ms: r.p50_ms, p99_ms: r.p99_ms, max_ms: r.max_ms, errors: r.errors, by_status: r.by_status });
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);

export async function runBesideReportsBench({ quick, log = console.error }: { quick: boolean; log?: (line: string) => void }): Promise<BesideReportsFigures> {
  const duration = quick ? 5 : 20;
  const lakeRows = quick ? 200_000 : 1_000_000;
  // The API alone: what is measured is the decision server with reports asked of it.
  const { dataDir, port, apiKey, env } = await benchDeployment("fraud-bench-beside-", { FRAUD_DASHBOARD: "off" });
  const url = `http://127.0.0.1:${port}`;
  log(`[bench] beside reports: data in ${dataDir}`);
  seedDeployment(env);
  const end = new Date(Date.now() - 2 * 86_400_000);
  const from = new Date(end.getTime() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const to = end.toISOString().slice(0, 10);
  const db = openDatabase(databaseFile(dataDir));
  let simulated;
  try {
    simulated = await simulateLake({
      lakeDir: join(dataDir, "lake"),
      days: DAYS,
      txPerDay: Math.ceil(lakeRows / DAYS),
      end,
      seed: 11,
      labelsDb: db,
      runId: "beside",
      threads: 2,
    });
  } finally {
    db.close();
  }
  log(`[bench] beside reports: ${simulated.rows.toLocaleString("en")} decisions in the lake (${from} to ${to})`);
  const serverFlags = JSON.parse(readFileSync(entry("server/src/server-node-flags.json"), "utf8")) as string[];
  const server = start("server/src/server.ts", env, join(dataDir, "server.log"), serverFlags);
  const worker = start("server/src/worker.ts", env, join(dataDir, "worker.log"));
  const report = async (name: string): Promise<{ ok: boolean; code: string; ms: number }> => {
    const started = performance.now();
    const res = await fetch(`${url}/api/reports/${name}/run?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await res.json()) as { error?: { code?: string } };
    return { ok: res.ok, code: res.ok ? "OK" : (body.error?.code ?? String(res.status)), ms: performance.now() - started };
  };
  try {
    await waitForHealth(url, server);
    const serverPid = server.child.pid!;
    log("[bench] beside reports: warming up (2 s of load, one report)");
    await runLoadgen({ url, apiKey, rate: RATE, count: RATE * 2, runId: "beside-warmup", seed: 1 }, dataDir);
    await report("overview");
    await workerCaughtUp(dataDir, 60_000);
    await sleep(1_000);

    log(`[bench] beside reports: ${RATE}/s for ${duration} s, no report`);
    const loadAtStart = loadavg()[0]!;
    let cpu = cpuOf(serverPid);
    let at = performance.now();
    const without = await runLoadgen({ url, apiKey, rate: RATE, count: RATE * duration, runId: "beside-none", seed: 2 }, dataDir);
    const serverCoresWithout = (cpuOf(serverPid) - cpu) / ((performance.now() - at) / 1000);
    await workerCaughtUp(dataDir, 60_000);
    await sleep(1_000);

    log(`[bench] beside reports: ${RATE}/s for ${duration} s, built-in reports one after another over the whole lake`);
    const reportPid = reportProcessOf(serverPid);
    const reportCpuBefore = reportPid === undefined ? 0 : cpuOf(reportPid);
    cpu = cpuOf(serverPid);
    at = performance.now();
    let running = true;
    const times: number[] = [];
    const failed: Record<string, number> = {};
    const client = (async () => {
      for (let i = 0; running; i++) {
        const r = await report(Report.BUILTIN_REPORTS[i % Report.BUILTIN_REPORTS.length]!.name);
        if (r.ok) times.push(r.ms);
        else failed[r.code] = (failed[r.code] ?? 0) + 1;
      }
    })();
    const beside = await runLoadgen({ url, apiKey, rate: RATE, count: RATE * duration, runId: "beside-reports", seed: 3 }, dataDir);
    const wall = (performance.now() - at) / 1000;
    const serverCoresWith = (cpuOf(serverPid) - cpu) / wall;
    const pid = reportProcessOf(serverPid) ?? reportPid;
    const reportCpu = pid === undefined ? 0 : cpuOf(pid) - (pid === reportPid ? reportCpuBefore : 0);
    const nice = pid === undefined ? null : getPriority(pid);
    const rss = pid === undefined ? null : memoryOf(pid).rss_mb;
    running = false;
    await client;
    const sorted = [...times].sort((a, b) => a - b);
    const figures: BesideReportsFigures = {
      rate_per_s: RATE,
      duration_s: duration,
      lake_rows: simulated.rows,
      without_reports: latency(without),
      with_reports: latency(beside),
      reports_run: times.length,
      reports_failed: failed,
      report_p50_ms: Math.round(percentile(sorted, 0.5)),
      report_max_ms: Math.round(sorted.at(-1) ?? 0),
      report_process_cpu_s: Number(reportCpu.toFixed(1)),
      report_process_cores_used: Number((reportCpu / wall).toFixed(2)),
      report_process_nice: nice,
      report_process_rss_mb: rss,
      server_cores_used: { without_reports: Number(serverCoresWithout.toFixed(2)), with_reports: Number(serverCoresWith.toFixed(2)) },
      machine_load_average: [Number(loadAtStart.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
    };
    log(
      `[bench] beside reports: p99 ${without.p99_ms} ms without reports, ${beside.p99_ms} ms with ${times.length} reports run beside (report p50 ${figures.report_p50_ms} ms; report process ${figures.report_process_cores_used} cores, nice ${nice}, ${rss} MB)`,
    );
    return figures;
  } finally {
    await Promise.all([stop(server), stop(worker)]);
    if (!process.env.FRAUD_BENCH_KEEP) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await runBesideReportsBench({ quick: process.argv.includes("--quick") });
  console.log(JSON.stringify(figures, null, 2));
}
