import { describe, expect, it } from "vitest";
import type { E2eFigures } from "../e2e.ts";
import type { EngineFigures } from "../engine.ts";
import { formatVerdicts, goalVerdicts, machineSpeed } from "../goals.ts";

const engine: EngineFigures = {
  inputs: 20_000,
  decisions_per_s: 14_808_815,
  peer_decisions_per_s: 16_617,
  bound_decisions_per_s: 26_445_695,
  interpreted_decisions_per_s: 853_190,
  ratio: 891,
  ratio_to_bound: 0.56,
  all_agree: true,
  disagreements: 0,
  decisions_by_outcome: { APPROVED: 17_514, REVIEW: 1_655, BLOCKED: 831 },
  full_path_decisions_per_s: 108_149,
  full_path_us: 9.25,
};

/** Only the fields the goals read matter; the rest are a run's usual values. */
function e2eRun(over: Partial<E2eFigures> = {}): E2eFigures {
  return {
    rate_per_s: 1_000,
    duration_s: 60,
    sent: 60_000,
    p50_ms: 2.3,
    p90_ms: 3.3,
    p99_ms: 4.5,
    p999_ms: 10.4,
    max_ms: 22.9,
    errors: 0,
    by_status: { "200": 60_000 },
    decisions: { APPROVED: 43_769, BLOCKED: 16_231 },
    acknowledged: 394_500,
    acknowledged_at_rate: 60_000,
    in_decision_log: 394_500,
    in_lake: 394_500,
    lost: 0,
    lake_duplicates: 0,
    lake_wait_s: 1,
    send_lag_p99_ms: 1.6,
    server_cpu_ms_per_tx: 0.335,
    worker_cpu_ms_per_tx: 0.076,
    generator_cpu_ms_per_tx: 0.074,
    server_cores_used: 0.33,
    machine_load_average: [1.58, 0.66],
    dashboard_loaded: true,
    dashboard_cpu_ms_per_tx: 0.003,
    dashboard_rss_mb: 205,
    worker_rss_mb: 335,
    max_rate_p99_under_50ms: 5_000,
    search: [],
    server_rss_mb: 186,
    server_peak_rss_mb: 336,
    server_rss_after_search_mb: 277,
    ...over,
  } as E2eFigures;
}

const met = (verdicts: ReturnType<typeof goalVerdicts>) => Object.fromEntries(verdicts.map((v) => [v.goal, v.met]));

describe("the benchmark's goals", () => {
  it("are all met by a run that meets every one of them, reports included", () => {
    const verdicts = goalVerdicts(engine, e2eRun(), {
      lakes: [
        { rows: 1_000_020, slowest_warm_ms: 61 },
        { rows: 10_000_020, slowest_warm_ms: 524 },
      ],
    });
    expect(verdicts.map((v) => v.goal)).toEqual([
      "engine: the three engines decide alike",
      "engine: at least 2,000,000 decisions/s on one core",
      "engine: at least 100x json-rules-engine",
      "end to end: p99 under 10 ms at 1,000/s",
      "end to end: at least 4,000/s with p99 under 50 ms",
      "end to end: every acknowledged transaction in the decision log and the lake, once",
      "reports: every built-in report under 1,000 ms at 10,000,000 decisions",
    ]);
    expect(verdicts.every((v) => v.met)).toBe(true);
    expect(verdicts.find((v) => v.goal.startsWith("reports"))!.measured).toBe("slowest 524 ms (warm)");
  });

  it("say which ones a slower run missed, with what it measured", () => {
    const verdicts = goalVerdicts(engine, e2eRun({ p99_ms: 13.2, max_rate_p99_under_50ms: 2_500 }));
    const byGoal = met(verdicts);
    expect(byGoal["end to end: p99 under 10 ms at 1,000/s"]).toBe(false);
    expect(byGoal["end to end: at least 4,000/s with p99 under 50 ms"]).toBe(false);
    expect(byGoal["engine: at least 100x json-rules-engine"]).toBe(true);
    expect(verdicts.find((v) => v.goal.includes("4,000/s"))!.measured).toBe("2,500/s");
  });

  it("count a fast p99 with errors, a lost or doubled transaction, and a disagreement as missed", () => {
    expect(met(goalVerdicts(engine, e2eRun({ errors: 3 })))["end to end: p99 under 10 ms at 1,000/s"]).toBe(false);
    const lost = goalVerdicts(engine, e2eRun({ lost: 1 })).find((v) => v.goal.includes("acknowledged"))!;
    expect(lost).toMatchObject({ met: false, measured: "1 of 394,500 missing, 0 duplicated" });
    expect(goalVerdicts(engine, e2eRun({ lake_duplicates: 2 })).find((v) => v.goal.includes("acknowledged"))!.met).toBe(false);
    const disagree = goalVerdicts({ ...engine, all_agree: false, disagreements: 4 })[0]!;
    expect(disagree).toEqual({ goal: "engine: the three engines decide alike", measured: "4 inputs differ", met: false });
  });

  it("leave out what the run did not measure: no server (--engine-only), no lake of 10 M (--quick)", () => {
    expect(goalVerdicts(engine).map((v) => v.goal)).toEqual([
      "engine: the three engines decide alike",
      "engine: at least 2,000,000 decisions/s on one core",
      "engine: at least 100x json-rules-engine",
    ]);
    const quick = goalVerdicts(engine, e2eRun({ duration_s: 8 }), { lakes: [{ rows: 100_020, slowest_warm_ms: 20 }] });
    expect(quick.some((v) => v.goal.startsWith("reports"))).toBe(false);
    expect(quick.find((v) => v.goal.startsWith("end to end: p99"))!.measured).toBe("4.5 ms over 8 s, 0 errors");
  });

  it("are printed one per line, with the machine's speed after them", () => {
    const text = formatVerdicts(goalVerdicts(engine, e2eRun({ p99_ms: 11.3 })), machineSpeed(engine, 1.58, 2));
    const lines = text.split("\n");
    expect(lines[0]).toBe("goals");
    expect(lines.find((l) => l.includes("p99 under 10 ms"))).toMatch(/^ {2}NOT MET {2}end to end: p99 under 10 ms at 1,000\/s +11\.3 ms over 60 s, 0 errors$/);
    expect(lines.find((l) => l.includes("100x"))).toMatch(/^ {2}met {6}engine: at least 100x json-rules-engine +891x$/);
    expect(lines.at(-1)).toBe(
      "  machine: hand-written bound 26.4 M decisions/s on one core, load average 1.58 on 2 cores at the start; end-to-end figures depend on both (docs/performance.md)",
    );
  });
});
