import { afterEach, describe, expect, it, vi } from "vitest";
import { command } from "../src/commands/cost.ts";

afterEach(() => vi.restoreAllMocks());

async function run(args: string[]) {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void lines.push(parts.join(" ")));
  const code = await command.run(args);
  return { code, out: lines.join("\n") };
}

describe("fraud cost", () => {
  it("prints the monthly cost by service in USD and FCFA at 1x, 10x and 100x, and the budget check", async () => {
    const { code, out } = await run(["--tx-per-day", "50000", "--peak-per-minute", "5000"]);
    expect(code).toBe(0);
    expect(out).toMatch(/1x USD\s+10x USD\s+100x USD\s+1x FCFA\s+10x FCFA\s+100x FCFA/);
    for (const service of ["API Gateway", "Lambda", "DynamoDB", "Kinesis", "Firehose", "S3", "Athena", "SNS", "CloudWatch", "KMS"])
      expect(out).toContain(service);
    expect(out).toMatch(/Budget at 1x: [\d\s\u202f]+ FCFA a month, within the budget of 500[\s\u202f]000 FCFA/);
    expect(out).toContain("list prices read on");
  });

  it("fails (exit 1) when the load's cost is over the budget", async () => {
    const { code, out } = await run(["--tx-per-day", "50000", "--budget-xaf", "1000"]);
    expect(code).toBe(1);
    expect(out).toContain("OVER the budget");
  });

  it("gives the figures as JSON", async () => {
    const { code, out } = await run(["--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.estimates.map((e: { factor: number }) => e.factor)).toEqual([1, 10, 100]);
    expect(parsed.estimates[0].totalXaf).toBeGreaterThan(0);
  });

  it("refuses a load that is not a positive number", async () => {
    await expect(command.run(["--tx-per-day", "lots"])).rejects.toThrow(/--tx-per-day must be a positive number/);
  });
});
