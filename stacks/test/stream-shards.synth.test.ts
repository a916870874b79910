import { Template } from "aws-cdk-lib/assertions";
import { getStack } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pipeline } from "../Pipeline";
import { stageParams, streamShards } from "../params";
import { synthesize, type Synthesized } from "./synthesized";

// A stage that expects a busy peak (its own process: the stage parameters are read from the
// environment when the stacks are built). The default stage, 5,000 a minute, has one shard
// (synth.test.ts).
const PEAK = 120_000;
let synth: Synthesized;
let pipeline: Template;
beforeAll(async () => {
  process.env.FRAUD_PEAK_PER_MINUTE = String(PEAK);
  synth = await synthesize({ stage: "peak" });
  pipeline = Template.fromStack(getStack(Pipeline));
});
afterAll(() => {
  delete process.env.FRAUD_PEAK_PER_MINUTE;
  synth?.remove();
});

describe("decision stream sized from the expected peak", () => {
  it("gives 120,000 decisions a minute five shards: 2,000 records a second of about 2.4 KB fill 4.5 MiB a second", () => {
    expect(streamShards({ FRAUD_PEAK_PER_MINUTE: PEAK })).toBe(5);
    pipeline.hasResourceProperties("AWS::Kinesis::Stream", { ShardCount: 5, StreamModeDetails: { StreamMode: "PROVISIONED" } });
  });

  it("keeps the consumer's iterator-age alarm, which says when the consumer falls behind the shards", () => {
    pipeline.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "IteratorAge", Threshold: 60_000 });
  });

  it("refuses a peak that needs more shards than an account may have, naming the parameter", () => {
    expect(() => stageParams("x", { FRAUD_PEAK_PER_MINUTE: "20000000" })).toThrow(/FRAUD_PEAK_PER_MINUTE=20000000 needs \d+ Kinesis shards/);
    expect(() => stageParams("x", { FRAUD_PEAK_PER_MINUTE: "0" })).toThrow(/FRAUD_PEAK_PER_MINUTE/);
    expect(() => stageParams("x", { FRAUD_PEAK_PER_MINUTE: "many" })).toThrow(/FRAUD_PEAK_PER_MINUTE/);
  });
});
