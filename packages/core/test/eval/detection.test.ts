import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { headerIndex, parseCsvLine, recordOf } from "../../src/tools/eval/csv.ts";
import { customerHalf, PAYSIM, SPARKOV, type EvalFormat } from "../../src/tools/eval/formats.ts";
import { evaluateLab, Replay, type ReplayReport } from "../../src/tools/eval/replay.ts";
import { compileRuleset, RulesetContent, type RulesetContentInput } from "../../src/ruleset/ruleset.ts";

/** Whole customers of the public dev files, committed so these tests always run (fixtures/README.md). */
const PAYSIM_FILE = fileURLToPath(new URL("fixtures/paysim.csv", import.meta.url));
const SPARKOV_FILE = fileURLToPath(new URL("fixtures/sparkov.csv", import.meta.url));

/**
 * `actual` within `tolerance` of the figure measured on the fixture. The tolerance is under one
 * fraud's share of the detection rate, so a rule that stops catching one fraud breaks the test;
 * a change that improves a figure breaks it too, and the pin is then moved on purpose.
 */
function expectPinned(actual: number | null, pinned: number, tolerance: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - pinned), `${actual} is not ${pinned} ± ${tolerance}`).toBeLessThanOrEqual(tolerance);
}

/**
 * The file with more history: its legitimate rows replayed `before` times ahead of the whole
 * file, each time shifted by whole days (so hours stay the cardholder's), under new transaction
 * ids. Customers then come with weeks of their own habits, as they would in production.
 */
function withHistory(file: string, before: number): string[] {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  const index = headerIndex(lines[0]!, SPARKOV.columns);
  const rows = lines.slice(1).map((l) => parseCsvLine(l));
  const [iTime, iId, iFraud] = ["unix_time", "trans_num", "is_fraud"].map((c) => index.get(c)!) as [number, number, number];
  const times = rows.map((r) => Number(r[iTime]));
  const shift = (Math.floor((Math.max(...times) - Math.min(...times)) / 86_400) + 1) * 86_400;
  const quote = (f: string) => (/[",]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);
  const out = [lines[0]!];
  for (let k = 0; k <= before; k++) {
    for (const r of rows) {
      if (k < before && r[iFraud] === "1") continue;
      const copy = [...r];
      copy[iTime] = String(Number(r[iTime]) + k * shift);
      copy[iId] = `${r[iId]}-${k}`;
      out.push(copy.map(quote).join(","));
    }
  }
  return out;
}

/** Replays a file in time order (ties in file order), optionally one half of its customers only. */
function replay(
  format: EvalFormat,
  file: string | string[],
  options: { half?: "A" | "B"; ruleset?: RulesetContentInput; shuffle?: boolean } = {},
): ReplayReport {
  const lines =
    typeof file === "string"
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
      : file;
  const index = headerIndex(lines[0]!, format.columns);
  let rows = lines.slice(1).map((line, i) => ({ row: recordOf(parseCsvLine(line), index), n: i + 1 }));
  if (options.shuffle)
    rows = rows
      .map((r, i) => ({ r, k: (i * 7919) % rows.length }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.r);
  rows.sort((a, b) => format.timeOf(a.row) - format.timeOf(b.row) || a.n - b.n);
  const ruleset = compileRuleset({ version: 1, ...RulesetContent.parse(options.ruleset ?? format.ruleset) });
  const r = new Replay({ ruleset, timeZone: format.timeZone });
  for (const { row, n } of rows) {
    if (options.half && customerHalf(format.customerOf(row)) !== options.half) continue;
    r.step(format.toTransaction(row, n), format.isFraud(row));
  }
  return r.report();
}

describe("the mobile-money ruleset on PaySim (fixture: 176 frauds in 1,007 rows)", () => {
  const all = replay(PAYSIM, PAYSIM_FILE);
  const halves = [replay(PAYSIM, PAYSIM_FILE, { half: "A" }), replay(PAYSIM, PAYSIM_FILE, { half: "B" })];

  it("detects at least 97 % of fraud with at most 0.2 % false positives, on the whole file and on each half of the customers", () => {
    for (const r of [all, ...halves]) {
      expect(r.detection_rate).toBeGreaterThanOrEqual(0.97);
      expect(r.false_positive_rate).toBeLessThanOrEqual(0.002);
    }
    expect(halves[0]!.rows + halves[1]!.rows).toBe(all.rows);
    expect(all).toMatchObject({ rows: 1_006, frauds: 175, skipped: 1, skipped_frauds: 1 });
  });

  it("keeps the figures measured on the fixture: every one of the 175 frauds, no false positive among 831 legitimate rows", () => {
    expect(all).toMatchObject({ legitimate: 831 });
    expectPinned(all.detection_rate, 1, 0.005);
    expectPinned(all.false_positive_rate, 0, 0.002);
    expectPinned(halves[0]!.detection_rate, 1, 0.01);
    expectPinned(halves[1]!.detection_rate, 1, 0.01);
  });

  it("owes its detection to the typology rules, not to one lucky threshold", () => {
    expect(all.rules.ACCOUNT_EMPTIED!.precision).toBe(1);
    expect(all.rules.LIMIT_SIZED_TRANSFER!.precision).toBe(1);
    expect(all.rules.ACCOUNT_EMPTIED!.hits + all.rules.LIMIT_SIZED_TRANSFER!.hits).toBeGreaterThanOrEqual(all.true_positives);
  });

  it("replays in time order whatever the order of the file", () => {
    const shuffled = replay(PAYSIM, PAYSIM_FILE, { shuffle: true });
    expect({ ...shuffled, latency_us: null }).toEqual({ ...all, latency_us: null });
  });
});

describe("the card ruleset on Sparkov (fixture: 22 frauds in 1,004 rows)", () => {
  const all = replay(SPARKOV, SPARKOV_FILE);
  const halves = [replay(SPARKOV, SPARKOV_FILE, { half: "A" }), replay(SPARKOV, SPARKOV_FILE, { half: "B" })];

  it("detects at least 85 % of fraud with at most 3 % false positives, on the whole file and on each half of the customers", () => {
    for (const r of [all, ...halves]) {
      expect(r.detection_rate).toBeGreaterThanOrEqual(0.85);
      expect(r.false_positive_rate).toBeLessThanOrEqual(0.03);
    }
    expect(all).toMatchObject({ rows: 1_004, frauds: 22, skipped: 0 });
  });

  it("keeps the figures measured on the fixture: 20 of the 22 frauds, 19 false positives among 982 legitimate rows", () => {
    expect(all).toMatchObject({ legitimate: 982 });
    expectPinned(all.detection_rate, 20 / 22, 0.02);
    expectPinned(all.false_positive_rate, 19 / 982, 0.004);
    expectPinned(halves[0]!.detection_rate, 14 / 16, 0.03);
    expectPinned(halves[1]!.detection_rate, 6 / 6, 0.1);
  });

  it("holds when customers come with weeks of history (the file's legitimate traffic replayed 3 times before it)", () => {
    const r = replay(SPARKOV, withHistory(SPARKOV_FILE, 3));
    expect(r).toMatchObject({ frauds: 22, legitimate: 4 * 982 });
    expect(r.detection_rate).toBeGreaterThanOrEqual(0.85);
    expect(r.false_positive_rate).toBeLessThanOrEqual(0.03);
    // Measured on the fixture: 20 of the 22 frauds, 85 false positives among 3,928 legitimate rows.
    expectPinned(r.detection_rate, 20 / 22, 0.02);
    expectPinned(r.false_positive_rate, 85 / 3_928, 0.003);
    // With history, the customer's own habits take part in the detection.
    expect(r.rules.UNUSUAL_HOUR!.fraud_hits + r.rules.FAR_ABOVE_USUAL!.fraud_hits).toBeGreaterThan(0);
  });

  it("does better than the simple amount-and-hour rules it is compared with", () => {
    const simple = replay(SPARKOV, SPARKOV_FILE, {
      ruleset: {
        thresholds: { review: 50, block: 80 },
        rules: [{ id: "NIGHT_LARGE", name: "night and large", expression: "(hour_of_day >= 22.0 || hour_of_day < 4.0) && amount >= 200.0", score: 50 }],
      },
    });
    expect(all.detection_rate!).toBeGreaterThan(simple.detection_rate!);
  });

  it("reports the whole trade-off curve, and the review threshold is one of its points", () => {
    expect(all.curve.length).toBeGreaterThan(5);
    for (let i = 1; i < all.curve.length; i++) {
      expect(all.curve[i]!.detection_rate).toBeLessThanOrEqual(all.curve[i - 1]!.detection_rate);
      expect(all.curve[i]!.false_positive_rate).toBeLessThanOrEqual(all.curve[i - 1]!.false_positive_rate);
    }
    const atReview = all.curve.find((p) => p.threshold >= all.thresholds.review)!;
    expect([atReview.detection_rate, atReview.false_positive_rate]).toEqual([all.detection_rate, all.false_positive_rate]);
  });
});

describe("the lab scenario, labelled", () => {
  it("with the demo ruleset: every suspicious transaction flagged, no normal one", () => {
    const r = evaluateLab(compileRuleset({ version: 1, ...RulesetContent.parse(DEMO_RULESET) }));
    expect(r.by_label.suspicious.APPROVED).toBe(0);
    expect(r.by_label.normal).toEqual({ APPROVED: 30, REVIEW: 0, BLOCKED: 0 });
    expect(r).toMatchObject({ rows: 50, frauds: 10, detection_rate: 1 });
  });
});
