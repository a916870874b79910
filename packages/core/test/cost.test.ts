import { describe, expect, it } from "vitest";
import { defaultWorkload, estimateMonthlyCost, measuredSizes, PRICES, usdToXaf } from "../src/tools/cost.ts";

const lab = () => estimateMonthlyCost(defaultWorkload(50_000, 5_000));

describe("AWS cost model", () => {
  it("keeps the lab's load (50,000 a day, peaks of 5,000 a minute) under its 500,000 FCFA budget", () => {
    const e = lab();
    expect(usdToXaf(e.totalUsd)).toBeLessThan(500_000);
    expect(e.totalUsd).toBeGreaterThan(20);
    expect(e.lines.map((l) => l.service)).toEqual([
      "API Gateway (HTTP API)",
      "Lambda",
      "DynamoDB (on-demand)",
      "Kinesis Data Streams",
      "Data Firehose (Parquet, dt= partitions)",
      "S3 (lake)",
      "Athena",
      "SNS (alerts by email)",
      "CloudWatch (logs, metrics, alarms)",
      "X-Ray",
      "KMS",
      "Data transfer out",
    ]);
    expect(e.totalUsd).toBeCloseTo(
      e.lines.reduce((s, l) => s + l.usd, 0),
      1,
    );
  });

  it("sizes the stream from the peak: records per second and bytes per second per shard", () => {
    expect(lab().capacity.kinesisShards).toBe(1);
    const big = estimateMonthlyCost(defaultWorkload(5_000_000, 500_000));
    const { eventBytes } = measuredSizes();
    expect(big.capacity.kinesisShards).toBe(Math.ceil(((500_000 / 60) * eventBytes) / 1024 ** 2));
    expect(big.warnings.join("\n")).toContain(`FRAUD_PEAK_PER_MINUTE=500000: the stream gets ${big.capacity.kinesisShards} shards`);
    expect(big.warnings.join("\n")).toMatch(/FRAUD_API_RATE/);
  });

  it("grows with the load, less than linearly at first (fixed shard, key and alarm costs)", () => {
    const [x1, x10, x100] = [1, 10, 100].map((f) => estimateMonthlyCost(defaultWorkload(50_000 * f, 5_000 * f)).totalUsd);
    expect(x10!).toBeGreaterThan(x1!);
    expect(x100!).toBeGreaterThan(x10!);
    expect(x10! / x1!).toBeLessThan(10);
  });

  it("measures the stored decision on a real lab decision rather than assuming it", () => {
    const { decisionBytes, eventBytes, profileBytes } = measuredSizes();
    expect(decisionBytes).toBeGreaterThan(1_000);
    // The stream's record is the decision's JSON and the customer id, without the item's key attributes.
    expect(eventBytes).toBeGreaterThan(1_000);
    expect(eventBytes).toBeLessThan(decisionBytes);
    expect(decisionBytes).toBeLessThan(10_000);
    expect(profileBytes).toBeGreaterThan(500);
  });

  it("dates and sources every price, and converts with the euro peg", () => {
    expect(PRICES.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const url of Object.values(PRICES.sources)) expect(url).toMatch(/^https:\/\//);
    expect(usdToXaf(1, 655.957)).toBe(656);
    expect(usdToXaf(100)).toBe(Math.round(100 * PRICES.xafPerEur * PRICES.eurPerUsd));
  });

  it("applies a region uplift to every line", () => {
    const base = lab();
    const paris = estimateMonthlyCost(defaultWorkload(50_000, 5_000), { regionUplift: 1.1 });
    expect(paris.totalUsd).toBeCloseTo(base.totalUsd * 1.1, 0);
  });
});
