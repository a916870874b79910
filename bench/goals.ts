/**
 * The goals the benchmark's figures are read against (docs/performance.md, "Goals and current figures"),
 * each with what was measured and whether it was met, so a run answers "did it meet them" at a
 * glance. Latency goals depend on the machine's speed as much as on the code: `machineSpeed`
 * says how fast this run's machine was, to print beside them.
 */
import type { BesideReportsFigures } from "./beside-reports.ts";
import { RATE_SEARCH_MAX_P99_MS, type E2eFigures } from "./e2e.ts";
import type { EngineFigures } from "./engine.ts";

export interface GoalVerdict {
  goal: string;
  measured: string;
  met: boolean;
}

/** The parts of bench/reports.ts's figures the goals read: each simulated lake's size and slowest warm report. */
export interface ReportFigures {
  lakes?: Array<{ rows: number; slowest_warm_ms: number }>;
}

export const ENGINE_MIN_DECISIONS_PER_S = 2_000_000;
export const ENGINE_MIN_RATIO = 100;
export const E2E_MAX_P99_MS = 10;
export const E2E_MIN_RATE_PER_S = 4_000;
/** Built-in reports at this many decisions answer in under REPORTS_MAX_MS. */
export const REPORTS_AT_ROWS = 10_000_000;
export const REPORTS_MAX_MS = 1_000;

const count = (n: number) => Math.round(n).toLocaleString("en");

export function goalVerdicts(engine: EngineFigures, e2e?: E2eFigures, reports?: ReportFigures, beside?: BesideReportsFigures): GoalVerdict[] {
  const verdicts: GoalVerdict[] = [
    {
      goal: "engine: the three engines decide alike",
      measured: engine.all_agree ? `all ${count(engine.inputs)} inputs` : `${count(engine.disagreements)} inputs differ`,
      met: engine.all_agree,
    },
    {
      goal: `engine: at least ${count(ENGINE_MIN_DECISIONS_PER_S)} decisions/s on one core`,
      measured: `${count(engine.decisions_per_s)}/s`,
      met: engine.decisions_per_s >= ENGINE_MIN_DECISIONS_PER_S,
    },
    {
      goal: `engine: at least ${ENGINE_MIN_RATIO}x json-rules-engine`,
      measured: `${count(engine.ratio)}x`,
      met: engine.ratio >= ENGINE_MIN_RATIO,
    },
  ];
  if (e2e) {
    verdicts.push(
      {
        goal: `end to end: p99 under ${E2E_MAX_P99_MS} ms at ${count(e2e.rate_per_s)}/s`,
        measured: `${e2e.p99_ms} ms over ${e2e.duration_s} s, ${count(e2e.errors)} errors`,
        met: e2e.p99_ms < E2E_MAX_P99_MS && e2e.errors === 0,
      },
      {
        goal: `end to end: at least ${count(E2E_MIN_RATE_PER_S)}/s with p99 under ${RATE_SEARCH_MAX_P99_MS} ms`,
        measured: `${count(e2e.max_rate_p99_under_50ms)}/s`,
        met: e2e.max_rate_p99_under_50ms >= E2E_MIN_RATE_PER_S,
      },
      {
        goal: "end to end: every acknowledged transaction in the decision log and the lake, once",
        measured: `${count(e2e.lost)} of ${count(e2e.acknowledged)} missing, ${count(e2e.lake_duplicates)} duplicated`,
        met: e2e.lost === 0 && e2e.lake_duplicates === 0,
      },
    );
  }
  if (beside) {
    verdicts.push({
      goal: `end to end: p99 under ${E2E_MAX_P99_MS} ms at ${count(beside.rate_per_s)}/s while reports run beside`,
      measured: `${beside.with_reports.p99_ms} ms with ${count(beside.reports_run)} reports (${beside.without_reports.p99_ms} ms without), ${count(beside.with_reports.errors)} errors`,
      met: beside.with_reports.p99_ms < E2E_MAX_P99_MS && beside.with_reports.errors === 0 && beside.reports_run > 0,
    });
  }
  const largest = reports?.lakes?.find((lake) => lake.rows >= REPORTS_AT_ROWS);
  if (largest) {
    verdicts.push({
      goal: `reports: every built-in report under ${count(REPORTS_MAX_MS)} ms at ${count(REPORTS_AT_ROWS)} decisions`,
      measured: `slowest ${count(largest.slowest_warm_ms)} ms (warm)`,
      met: largest.slowest_warm_ms < REPORTS_MAX_MS,
    });
  }
  return verdicts;
}

/**
 * How fast this machine ran: the hand-written bound is pure CPU on one core, so it moves with the
 * machine alone (23-29 M/s on a fast day here, 9-22 M/s on slow ones), and the load average says
 * how much else wanted the cores.
 */
export function machineSpeed(engine: EngineFigures, loadAverageAtStart: number, cores: number): string {
  return `machine: hand-written bound ${(engine.bound_decisions_per_s / 1e6).toFixed(1)} M decisions/s on one core, load average ${loadAverageAtStart.toFixed(2)} on ${cores} cores at the start; end-to-end figures depend on both (docs/performance.md)`;
}

/** The verdicts as printed at the end of a run. */
export function formatVerdicts(verdicts: readonly GoalVerdict[], machine: string): string {
  const width = Math.max(...verdicts.map((v) => v.goal.length));
  const lines = verdicts.map((v) => `  ${v.met ? "met    " : "NOT MET"}  ${v.goal.padEnd(width)}  ${v.measured}`);
  return ["goals", ...lines, `  ${machine}`].join("\n");
}
