/**
 * `npm run bench [-- --quick]`: the engine against json-rules-engine and hand-written functions,
 * the server end to end under paced load, its memory, its decisions while reports run beside
 * them (bench/beside-reports.ts), and the analytics figures of
 * bench/reports.ts when present. Prints the figures and writes them to bench/results/latest.json
 * and a dated copy. How to read and reproduce them: docs/performance.md.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runBesideReportsBench, type BesideReportsFigures } from "./beside-reports.ts";
import { runE2eBench, type E2eFigures } from "./e2e.ts";
import { runEngineBench, type EngineFigures } from "./engine.ts";
import { formatVerdicts, goalVerdicts, machineSpeed, type ReportFigures } from "./goals.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: "boolean", default: false },
    "engine-only": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(
    "usage: npm run bench [-- --quick] [-- --engine-only]\n\n  --quick        smaller counts, the same figures, under a minute\n  --engine-only  skip the server (no end-to-end run)",
  );
  process.exit(0);
}
const quick = values.quick;
const log = (line: string) => console.error(line);
const started = Date.now();
const loadAtStart = loadavg()[0]!;
const fmt = (n: number) => Math.round(n).toLocaleString("en");

log(`[bench] ${quick ? "quick run" : "full run"} on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), load average ${loadAtStart.toFixed(2)}`);
if (loadAtStart > cpus().length / 2)
  log(
    `[bench] warning: the machine is busy (load average ${loadAtStart.toFixed(2)} on ${cpus().length} cores): end-to-end latencies will show it; engine figures are per CPU-second and suffer less`,
  );
log("[bench] engine: demo ruleset over prepared features");
const timings: Record<string, number> = {};
const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const t = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round((Date.now() - t) / 100) / 10;
  }
};
const engine: EngineFigures = await timed("engine", () => runEngineBench({ quick }));
console.log(
  [
    "engine (demo ruleset: rules, score and decision over prepared features, one core, per CPU-second)",
    `  ours (CEL compiled to JavaScript)    ${fmt(engine.decisions_per_s).padStart(12)} decisions/s`,
    `  json-rules-engine (peer)             ${fmt(engine.peer_decisions_per_s).padStart(12)} decisions/s   ours = ${fmt(engine.ratio)}x the peer`,
    `  hand-written functions (the bound)   ${fmt(engine.bound_decisions_per_s).padStart(12)} decisions/s   ours = ${(engine.ratio_to_bound * 100).toFixed(0)} % of the bound`,
    `  cel-js interpreted (reference)       ${fmt(engine.interpreted_decisions_per_s).padStart(12)} decisions/s`,
    `  all decide alike                     ${engine.all_agree ? "yes" : `NO: ${engine.disagreements} inputs differ`} (${engine.inputs} inputs: ${Object.entries(
      engine.decisions_by_outcome,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
    `  full path (features from the profile, rules, decision, next profile): ${fmt(engine.full_path_decisions_per_s)} decisions/s (${engine.full_path_us} µs each)`,
  ].join("\n"),
);

let e2e: E2eFigures | undefined;
if (!values["engine-only"]) {
  e2e = await timed("e2e", () => runE2eBench({ quick, log }));
  console.log(
    [
      `end to end (npm start's server and worker, paced open-model load from a separate process, latency from each request's scheduled time)`,
      `  ${e2e.rate_per_s}/s for ${e2e.duration_s} s: p50 ${e2e.p50_ms} ms, p99 ${e2e.p99_ms} ms, max ${e2e.max_ms} ms, errors ${e2e.errors} (statuses ${JSON.stringify(e2e.by_status)})`,
      `  acknowledged ${e2e.acknowledged} (whole run): in the decision log ${e2e.in_decision_log}, in the lake ${e2e.in_lake}, lost ${e2e.lost}, lake duplicates ${e2e.lake_duplicates}`,
      `  highest rate with p99 under 50 ms: ${e2e.max_rate_p99_under_50ms}/s  (${e2e.search.map((s) => `${s.rate_per_s}/s p99 ${s.p99_ms} ms${s.errors ? ` ${s.errors} errors ${JSON.stringify(s.by_status)}` : ""}`).join("; ")})`,
      `  CPU per transaction: server ${e2e.server_cpu_ms_per_tx} ms (${e2e.server_cores_used} cores busy), worker ${e2e.worker_cpu_ms_per_tx} ms, load generator ${e2e.generator_cpu_ms_per_tx} ms; machine load average ${e2e.machine_load_average.join(" -> ")} on ${cpus().length} cores`,
      `  server RSS after the run ${e2e.server_rss_mb} MB (peak ${e2e.server_peak_rss_mb} MB); dashboard process ${e2e.dashboard_loaded ? `${e2e.dashboard_rss_mb} MB, ${e2e.dashboard_cpu_ms_per_tx} ms CPU per transaction (nobody browsing)` : "none (not built: API only)"}; worker ${e2e.worker_rss_mb} MB`,
    ].join("\n"),
  );
}

let beside: BesideReportsFigures | undefined;
if (!values["engine-only"]) {
  beside = await timed("beside_reports", () => runBesideReportsBench({ quick, log }));
  console.log(
    [
      `decisions while reports run beside them (${fmt(beside.lake_rows)} decisions in the lake; reports in their own process: one DuckDB thread, nice ${beside.report_process_nice ?? "?"})`,
      `  ${beside.rate_per_s}/s for ${beside.duration_s} s, no report:        p50 ${beside.without_reports.p50_ms} ms, p99 ${beside.without_reports.p99_ms} ms, max ${beside.without_reports.max_ms} ms, errors ${beside.without_reports.errors}`,
      `  ${beside.rate_per_s}/s for ${beside.duration_s} s, reports beside:   p50 ${beside.with_reports.p50_ms} ms, p99 ${beside.with_reports.p99_ms} ms, max ${beside.with_reports.max_ms} ms, errors ${beside.with_reports.errors}`,
      `  reports run ${beside.reports_run} (p50 ${beside.report_p50_ms} ms, max ${beside.report_max_ms} ms)${Object.keys(beside.reports_failed).length ? `, failed ${JSON.stringify(beside.reports_failed)}` : ""}; report process ${beside.report_process_cores_used} cores, ${beside.report_process_rss_mb ?? "?"} MB; server ${beside.server_cores_used.without_reports} -> ${beside.server_cores_used.with_reports} cores`,
    ].join("\n"),
  );
}

let reports: Record<string, unknown> | undefined;
const reportsFile = join(HERE, "reports.ts");
if (existsSync(reportsFile)) {
  log("[bench] reports: bench/reports.ts");
  const mod = (await import(pathToFileURL(reportsFile).href)) as { run: (o: { quick: boolean }) => Promise<Record<string, unknown>> };
  reports = await timed("reports", () => mod.run({ quick }));
  console.log(`reports\n${JSON.stringify(reports, null, 2).replace(/^/gm, "  ")}`);
}

const goals = goalVerdicts(engine, e2e, reports as ReportFigures | undefined, beside);
console.log(formatVerdicts(goals, machineSpeed(engine, loadAtStart, cpus().length)));

const results = {
  at: new Date().toISOString(),
  quick,
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? null, node: process.version, load_average_at_start: loadAtStart },
  goals,
  engine,
  ...(e2e ? { e2e, rss_mb: e2e.server_rss_mb } : {}),
  ...(beside ? { beside_reports: beside } : {}),
  ...(reports ? { reports } : {}),
  elapsed_s: Math.round((Date.now() - started) / 100) / 10,
  timings_s: timings,
};
const dir = join(HERE, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dir, `${results.at.replaceAll(":", "-")}.json`), `${JSON.stringify(results, null, 2)}\n`);
log(
  `[bench] done in ${results.elapsed_s} s (${Object.entries(timings)
    .map(([k, v]) => `${k} ${v} s`)
    .join(", ")}); figures in bench/results/latest.json`,
);
const goalsMet = engine.all_agree && (!e2e || (e2e.lost === 0 && e2e.errors === 0)) && (!beside || beside.with_reports.errors === 0);
process.exitCode = goalsMet ? 0 : 1;
