import { describe, expect, it } from "vitest";
import { KINESIS_SHARD_WRITE_LIMITS, streamShardsFor } from "../src/index.ts";
import { measuredSizes } from "../src/tools/cost.ts";

describe("decision stream shards from the expected peak", () => {
  it("takes 1,000 records a second per shard when records are small", () => {
    expect(KINESIS_SHARD_WRITE_LIMITS).toEqual({ recordsPerSecond: 1_000, bytesPerSecond: 1_048_576 });
    expect(streamShardsFor(60_000, 100)).toBe(1);
    expect(streamShardsFor(60_001, 100)).toBe(2);
    expect(streamShardsFor(600_000, 100)).toBe(10);
  });

  it("takes 1 MiB a second per shard when records are large", () => {
    // 1,000 records a second of 2,000 bytes: 1.9 MiB a second.
    expect(streamShardsFor(60_000, 2_000)).toBe(2);
    expect(streamShardsFor(60_000, 1_048)).toBe(1);
    expect(streamShardsFor(60_000, 1_049)).toBe(2);
  });

  it("keeps one shard for a small peak, and sizes a measured decision's record by its bytes", () => {
    expect(streamShardsFor(1, 10_000)).toBe(1);
    const { eventBytes } = measuredSizes();
    // About 440 of these records a second fill a shard's MiB before its 1,000 records.
    expect(streamShardsFor(5_000, eventBytes)).toBe(1);
    expect(streamShardsFor(120_000, eventBytes)).toBe(Math.ceil((2_000 * eventBytes) / 1_048_576));
    expect(streamShardsFor(120_000, eventBytes)).toBeGreaterThan(2);
  });

  it("refuses a peak or a size that is not a positive number", () => {
    for (const peak of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => streamShardsFor(peak, 2_000)).toThrow(RangeError);
    expect(() => streamShardsFor(5_000, 0)).toThrow(/positive size/);
  });
});
