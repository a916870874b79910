import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { getStack } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pipeline } from "../Pipeline";
import { stageParams } from "../params";
import { synthApp } from "../synth";

// A stage that also posts alerts to a webhook (its own process: the stage parameters are read
// from the environment when the stacks are built).
const URL = "https://alerts.example.com/fraud";
let outdir: string;
let pipeline: Template;
beforeAll(async () => {
  process.env.FRAUD_ALERT_WEBHOOK_URL = URL;
  outdir = mkdtempSync(path.join(tmpdir(), "fraud-synth-webhook-"));
  await synthApp({ stage: "webhook", outdir });
  pipeline = Template.fromStack(getStack(Pipeline));
});
afterAll(() => {
  delete process.env.FRAUD_ALERT_WEBHOOK_URL;
  rmSync(outdir, { recursive: true, force: true });
});

describe("alert webhook on AWS", () => {
  it("gives the consumer the webhook's URL and binds its signing secret, which the consumer alone reads", () => {
    const functions = Object.values(pipeline.findResources("AWS::Lambda::Function"));
    const consumer = functions.find((f) => f.Properties.Handler === "packages/lambda/src/consumer.handler");
    expect(consumer!.Properties.Environment.Variables).toMatchObject({
      FRAUD_ALERT_WEBHOOK_URL: URL,
      SST_Secret_value_FRAUD_WEBHOOK_SECRET: "__FETCH_FROM_SSM__",
    });
    const others = functions.filter((f) => f !== consumer && JSON.stringify(f.Properties.Environment ?? {}).includes("FRAUD_WEBHOOK_SECRET"));
    expect(others).toEqual([]);
  });

  it("posts to https only", () => {
    expect(() => stageParams("x", { FRAUD_ALERT_WEBHOOK_URL: "http://alerts.example.com/fraud" })).toThrow(/FRAUD_ALERT_WEBHOOK_URL/);
    expect(stageParams("x", { FRAUD_ALERT_WEBHOOK_URL: URL }).FRAUD_ALERT_WEBHOOK_URL).toBe(URL);
  });
});
