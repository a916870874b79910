import { Demo, Ruleset, Settings } from "@fraud/core";
import { openLocalPlatform, simulateLake, type LocalPlatform } from "@fraud/core/local";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/index.ts";

let dir: string;
let platform: LocalPlatform;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fraud-reports-cli-"));
  // The CLI reads its data dir from the environment, once.
  process.env.FRAUD_DATA_DIR = dir;
  process.env.FRAUD_ADMIN_PASSWORD = "reports-test-admin-password";
  platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings });
  await simulateLake({
    lakeDir: platform.lakeDir,
    days: 3,
    txPerDay: 2_000,
    end: new Date("2025-06-03T00:00:00Z"),
    seed: 5,
    fraudRate: 0.02,
    labelsDb: platform.db,
    runId: "api",
    threads: 2,
  });
});

afterAll(() => {
  platform.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CLI", () => {
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      return { code: await main(args), out: lines.join("\n") };
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  }

  it("report <name> --from --to --json prints the result", async () => {
    const { code, out } = await cli(["report", "overview", "--from", "2025-06-01", "--to", "2025-06-03", "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(out) as { report: string; rows: Array<Record<string, number>> };
    expect(result.report).toBe("overview");
    expect(result.rows[0]!.transactions).toBe(6_000);
  });

  it("report prints a table, and --param sets other parameters", async () => {
    const { code, out } = await cli(["report", "amount_blocked", "--from", "2025-06-01", "--to", "2025-06-03", "--param", "currency=XAF"]);
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toMatch(/^day\s+blocked_transactions\s+amount_blocked$/);
    expect(out.split("\n")).toHaveLength(2 + 3);
    expect((await cli(["report", "overview", "--from", "someday"])).code).toBe(2);
  });

  it("simulate --days --tx-per-day writes history to the lake without a server", async () => {
    const other = mkdtempSync(join(tmpdir(), "fraud-sim-cli-"));
    try {
      const { code, out } = await cli(["simulate", "--days", "2", "--tx-per-day", "1000", "--end", "2025-06-02", "--data-dir", other, "--json"]);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ rows: 2_000, first_day: "2025-06-01", last_day: "2025-06-02" });
      expect(existsSync(join(other, "lake", "raw", "dt=2025-06-02"))).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("backtest --version saves the result with the draft; shadow sets a draft beside the live ruleset", async () => {
    const draft = await platform.rules.saveDraft(Ruleset.RulesetContent.parse(Demo.DEMO_RULESET), { id: "ana" });
    const { code, out } = await cli([
      "backtest",
      "--version",
      String(draft.version),
      "--from",
      "2025-06-02",
      "--to",
      "2025-06-03",
      "--warmup-days",
      "1",
      "--json",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ruleset_version: draft.version, transactions: 4_000, replayed: 6_000 });
    expect(await platform.backtests.list(draft.version)).toHaveLength(1);
    const shadow = await cli(["shadow", "--set", String(draft.version)]);
    expect(shadow.code).toBe(0);
    expect(await platform.rules.shadowVersion()).toBe(draft.version);
    expect((await cli(["shadow", "--clear"])).out).toContain("no shadow ruleset");
  });
});
