import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxBundleSmoke } from "./bundle-smoke";
import { list, statementsOf, synthesize, usesDataKey, type Json, type Synthesized } from "./synthesized";

// The path of a decision from the decisions table to its consumers, as deployed: the table's change
// stream, the outbox forwarder, the decision stream, the consumer and the lake writer, each with
// only the permissions its step needs, a place for what it gives up on, and an alarm.

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize("test");
});
afterAll(() => synth?.remove());

const mappings = () => synth.resources("AWS::Lambda::EventSourceMapping", ["Pipeline"]);
const outboxMapping = () => {
  const found = mappings().filter((m) => /DecisionsTable/.test(JSON.stringify(m.props.EventSourceArn)));
  expect(found).toHaveLength(1);
  return found[0]!;
};
/** Every statement of the outbox forwarder's role, as `action resource` lines. */
const forwarderGrants = () =>
  statementsOf(synth, "Pipeline", /OutboxForwarder/)
    .flatMap((st) => list<string>(st.Action).map((a) => ({ action: a, resources: JSON.stringify(st.Resource), effect: st.Effect })))
    .filter((g) => g.effect === "Allow");

describe("outbox: the decisions table's change stream", () => {
  it("streams the new image of the decisions table, and of no other table", () => {
    const streamed = synth.resources("AWS::DynamoDB::Table").filter((t) => t.props.StreamSpecification);
    expect(streamed.map((t) => t.id)).toEqual([expect.stringMatching(/^DecisionsTable/)]);
    expect(streamed[0]!.props.StreamSpecification).toEqual({ StreamViewType: "NEW_IMAGE" });
  });

  it("feeds the forwarder new decisions only, from the oldest record kept, reports failures per record and retries until the stream drops them", () => {
    const m = outboxMapping();
    expect(m.stack).toBe("Pipeline");
    expect(JSON.stringify(m.props.FunctionName)).toMatch(/OutboxForwarder/);
    expect(JSON.stringify(m.props.EventSourceArn)).toMatch(/DecisionsTable\w*StreamArn/);
    expect(m.props.FilterCriteria).toEqual({ Filters: [{ Pattern: JSON.stringify({ eventName: ["INSERT"] }) }] });
    expect(m.props).toMatchObject({
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: -1,
      BatchSize: 100,
    });
    expect(m.props.MaximumRecordAgeInSeconds ?? -1).toBe(-1);
    expect(JSON.stringify(m.props.DestinationConfig.OnFailure.Destination)).toMatch(/OutboxDeadLetters/);
  });

  it("lets the forwarder read the change stream and put records on the decision stream, and nothing else", () => {
    const grants = forwarderGrants();
    const byService = (prefix: string) => grants.filter((g) => g.action.startsWith(prefix));
    // ListStreams names no resource in IAM; reading names the decisions table's stream only.
    for (const g of byService("dynamodb:")) {
      if (g.action === "dynamodb:ListStreams") expect(g.resources).toBe('"*"');
      else expect(g.resources, g.action).toMatch(/DecisionsTable\w*StreamArn/);
    }
    expect([...new Set(byService("dynamodb:").map((g) => g.action))].sort()).toEqual([
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
      "dynamodb:ListStreams",
    ]);
    expect(byService("kinesis:")).toEqual([{ action: "kinesis:PutRecords", resources: expect.stringMatching(/DecisionsStream/), effect: "Allow" }]);
    for (const g of byService("kms:")) expect(usesDataKey(g.resources), g.action).toBe(true);
    for (const g of byService("sqs:")) expect(g.resources, g.action).toMatch(/OutboxDeadLetters/);
    const services = new Set(grants.map((g) => g.action.split(":")[0]));
    expect([...services].sort()).toEqual(["dynamodb", "kinesis", "kms", "sqs", "xray"]);
    const forwarder = synth.resources("AWS::Lambda::Function", ["Pipeline"]).find((f) => f.props.Handler === "packages/lambda/src/outbox.handler");
    expect(Object.keys(forwarder!.props.Environment.Variables).filter((k) => k.startsWith("FRAUD_"))).toEqual(["FRAUD_STREAM_NAME"]);
  });

  it("keeps what outlives the change stream in a dead-letter queue encrypted with the data key, and alarms on lag, failures and dead letters", () => {
    const queue = synth.resources("AWS::SQS::Queue", ["Pipeline"]).find((q) => q.id.startsWith("OutboxDeadLetters"));
    expect(usesDataKey(queue!.props.KmsMasterKeyId)).toBe(true);
    expect(queue!.props.MessageRetentionPeriod).toBe(14 * 86_400);
    const alarms = synth.resources("AWS::CloudWatch::Alarm", ["Pipeline"]);
    const lag = alarms.filter((a) => a.props.MetricName === "IteratorAge" && /OutboxForwarder/.test(JSON.stringify(a.props.Dimensions)));
    expect(lag).toHaveLength(1);
    expect(lag[0]!.props).toMatchObject({ Threshold: 60_000, Statistic: "Maximum" });
    const failures = alarms.find((a) => a.id.startsWith("OutboxErrors"));
    const metrics = JSON.stringify(failures!.props.Metrics);
    for (const name of ["Errors", "ForwardRefused", "OutboxMalformed"]) expect(metrics).toContain(`"MetricName":"${name}"`);
    expect(metrics).toContain('{"Name":"service","Value":"outbox"}');
    const dead = alarms.filter(
      (a) => a.props.MetricName === "ApproximateNumberOfMessagesVisible" && /OutboxDeadLetters/.test(JSON.stringify(a.props.Dimensions)),
    );
    expect(dead).toHaveLength(1);
  });

  it("gives the ingest function no way to the stream: the decision's write is its only output", () => {
    const ingest = statementsOf(synth, "Api", /Ingest/).flatMap((st) => list<string>(st.Action));
    expect(ingest.filter((a) => a.startsWith("kinesis:"))).toEqual([]);
    const decisions = statementsOf(synth, "Api", /Ingest/)
      .filter((st) => /DecisionsTable[0-9A-F]{8}/.test(JSON.stringify(st.Resource ?? "")))
      .flatMap((st) => list<string>(st.Action))
      .filter((a) => a.startsWith("dynamodb:"));
    expect([...new Set(decisions)].sort()).toEqual(["dynamodb:GetItem", "dynamodb:PutItem"]);
  });
});

describe("consumers of the decision stream", () => {
  it("reports the consumer's failed records one by one, splits failing batches, retries a bounded number of times, then dead-letters", () => {
    const found = mappings().filter((m) => /DecisionsStream/.test(JSON.stringify(m.props.EventSourceArn)));
    expect(found).toHaveLength(1);
    const m = found[0]!.props;
    expect(m.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(m.BisectBatchOnFunctionError).toBe(true);
    expect(m.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
    expect(m.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(JSON.stringify(m.DestinationConfig.OnFailure.Destination)).toMatch(/ConsumerDeadLetters/);
    expect(mappings()).toHaveLength(2);
  });

  it("lets the lake writer claim rows in the idempotency table and nothing else of the tables", () => {
    const statements = statementsOf(synth, "Lake", /LakeWriter/);
    const dynamo = statements.flatMap((st) =>
      list<string>(st.Action)
        .filter((a) => a.startsWith("dynamodb:"))
        .map((a) => `${a} ${JSON.stringify(st.Resource)}`),
    );
    expect(dynamo).toEqual([expect.stringMatching(/^dynamodb:PutItem .*IdempotencyTable/)]);
    const writer = synth.resources("AWS::Lambda::Function", ["Lake"]).find((f) => f.props.Handler === "packages/lambda/src/lake-writer.handler");
    expect(JSON.stringify(writer!.props.Environment.Variables.IDEMPOTENCY_TABLE)).toMatch(/IdempotencyTable/);
  });

  it("gives the stream one shard at the default expected peak of 5,000 decisions a minute", () => {
    synth.templates.Pipeline.hasResourceProperties("AWS::Kinesis::Stream", { ShardCount: 1 });
  });

  it("subscribes the stage's alert email to the alert topic", () => {
    synth.templates.Pipeline.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "fraud-alerts@example.com" });
    synth.templates.Pipeline.hasResourceProperties("AWS::SNS::Topic", { TopicName: "test-fraud-alerts" });
  });

  it("alarms on iterator age, function errors, dead letters, the lake's freshness and a BLOCKED-rate spike, to the alert topic", () => {
    const alarms = synth.resources("AWS::CloudWatch::Alarm");
    const byMetric = (name: string) => alarms.filter((a) => a.props.MetricName === name);
    expect(byMetric("IteratorAge")).toHaveLength(2);
    expect(
      byMetric("Errors")
        .map((a) => a.stack)
        .sort(),
    ).toEqual(["Api", "Lake", "Pipeline"]);
    expect(byMetric("ApproximateNumberOfMessagesVisible")).toHaveLength(2);
    expect(byMetric("DeliveryToS3.DataFreshness")).toEqual([expect.objectContaining({ stack: "Lake", props: expect.objectContaining({ Threshold: 900 }) })]);
    const spike = alarms.find((a) => (a.props.Metrics ?? []).some((m: Json) => /blocked/.test(m.Expression ?? "")));
    expect(spike, "BLOCKED-rate alarm").toBeDefined();
    expect(JSON.stringify(spike!.props.Metrics)).toContain('{"Name":"decision","Value":"BLOCKED"}');
    for (const a of alarms) expect(JSON.stringify(a.props.AlarmActions), a.id).toMatch(/Alerts/);
  });
});

describe("the outbox forwarder's bundle", () => {
  it("as deployed, puts the decision a change-stream record carries on the Kinesis emulator, keyed by its customer", async () => {
    const forwarder = synth.resources("AWS::Lambda::Function", ["Pipeline"]).find((f) => f.props.Handler === "packages/lambda/src/outbox.handler");
    const dir = synth.assetPath(String(forwarder!.props.Code.S3Key).replace(/\.zip$/, ""));
    expect(dir, "bundle of the outbox forwarder").toBeDefined();
    const result = await outboxBundleSmoke(path.join(dir!, "packages/lambda/src/outbox.mjs"));
    expect(result.response).toEqual({ batchItemFailures: [] });
    expect(result.onStream).toEqual([{ transactionId: result.recorded.transactionId, partitionKey: result.recorded.userId }]);
  });
});
