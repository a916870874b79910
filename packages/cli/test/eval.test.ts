import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLI = fileURLToPath(new URL("../src/index.ts", import.meta.url));
/** Whole customers of the public PaySim dev file (packages/core/test/eval/fixtures/README.md). */
const PAYSIM = join(ROOT, "packages", "core", "test", "eval", "fixtures", "paysim.csv");
const dir = mkdtempSync(join(tmpdir(), "fraud-eval-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fraud(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FRAUD_DATA_DIR: join(dir, "data") },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PAYSIM_HEADER = "step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud";
/** Three customers; C1 is drained (fraud), C2 pays twice, C3 moves part of a balance. Out of time order. */
const SMALL = [
  PAYSIM_HEADER,
  "5,PAYMENT,120.0,C2,1000.0,880.0,M9,0.0,0.0,0,0",
  "2,TRANSFER,5000.0,C1,5000.0,0.0,C7,0.0,0.0,1,0",
  "3,CASH_OUT,200.0,C3,900.0,700.0,C8,0.0,0.0,0,0",
  "1,PAYMENT,80.0,C2,1080.0,1000.0,M9,0.0,0.0,0,0",
].join("\n");

describe("npm run fraud -- eval", () => {
  it("prints one JSON object with the detection figures for a PaySim file", () => {
    const r = fraud("eval", "--paysim", PAYSIM, "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      rules: Record<string, { hits: number; precision: number | null }>;
      latency_us: { p50: number; p99: number };
    };
    for (const key of ["rows", "frauds", "flagged", "detection_rate", "false_positive_rate", "precision", "decisions", "rules", "latency_us", "curve"])
      expect(out).toHaveProperty(key);
    expect(out).toMatchObject({ format: "paysim", ruleset: "mobile-money (shipped)", rows: 1_006, frauds: 175, skipped: 1, skipped_frauds: 1 });
    expect(out.detection_rate).toBeGreaterThanOrEqual(0.97);
    expect(out.false_positive_rate).toBeLessThanOrEqual(0.002);
    expect(out.rules.ACCOUNT_EMPTIED!.precision).toBe(1);
    expect(out.latency_us.p99).toBeGreaterThanOrEqual(out.latency_us.p50);
    // Progress goes to the standard error as log events; the standard output is the result alone.
    expect(r.stderr).toContain('"service":"cli"');
  });

  it("replays a file in time order, with the ruleset given, and says which rows it could not take", () => {
    const file = join(dir, "small.csv");
    writeFileSync(file, `${SMALL}\n5,CASH_OUT,0.0,C4,0.0,0.0,C8,0.0,0.0,1,0\n`);
    const rules = join(dir, "drain.json");
    writeFileSync(
      rules,
      JSON.stringify({
        thresholds: { review: 50, block: 80 },
        rules: [{ id: "DRAIN", name: "drain", expression: "balance_after != null && balance_after == 0.0", score: 90 }],
      }),
    );
    const r = fraud("eval", "--paysim", file, "--ruleset", rules, "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      rows: 4,
      frauds: 1,
      flagged: 1,
      true_positives: 1,
      detection_rate: 1,
      false_positive_rate: 0,
      skipped: 1,
      skipped_frauds: 1,
      decisions: { APPROVED: 3, REVIEW: 0, BLOCKED: 1 },
    });
    expect(out.skip_reasons).toEqual({ "amount: must be greater than 0": 1 });
    expect(r.stderr).toContain("sorting by time");
  });

  it("reports the lab scenario the same way, by label", () => {
    const r = fraud("eval", "--lab", "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: number; frauds: number; by_label: Record<string, Record<string, number>> };
    expect([out.rows, out.frauds]).toEqual([50, 10]);
    expect(out.by_label.normal!.APPROVED).toBe(30);
  });

  it("evaluates the ruleset live in the local data directory with --live", () => {
    expect(fraud("eval", "--lab", "--live").stderr).toContain("no local data");
    expect(fraud("seed").status).toBe(0);
    const r = fraud("eval", "--lab", "--live", "--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ruleset: "live (version 1)", rows: 50, detection_rate: 1 });
  });

  it("refuses a file of another format, and a ruleset that does not compile, with a message", () => {
    const file = join(dir, "wrong.csv");
    writeFileSync(file, "a,b,c\n1,2,3\n");
    const wrong = fraud("eval", "--sparkov", file);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("missing column(s): cc_num");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ rules: [{ id: "BAD", name: "bad", expression: "amount >", score: 10 }] }));
    const small = join(dir, "small2.csv");
    writeFileSync(small, SMALL);
    const r = fraud("eval", "--paysim", small, "--ruleset", bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("BAD");
    expect(readFileSync(small, "utf8")).toBe(SMALL);
  });

  it("refuses a ruleset with a rule over the cost limit, naming the rule and where", () => {
    const numbers = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
    const inner = `${numbers}.exists(b, ${numbers}.exists(c, a + b + c < 0))`;
    const expression = `${numbers}.exists(a, ${inner})`;
    const costly = join(dir, "costly.json");
    writeFileSync(costly, JSON.stringify({ rules: [{ id: "NESTED", name: "nested", expression, score: 10 }] }));
    const r = fraud("eval", "--lab", "--ruleset", costly);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`NESTED: too costly: up to [\\d,]+ steps in the worst case, over the limit of 100,000 \\(at character ${expression.indexOf(inner) + 1}\\)`),
    );
  });
});
