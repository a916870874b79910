import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Demo, Monitoring, type Platform, Report, Settings } from "@fraud/core";
import { AwsReportStore, openAwsPlatform, type AwsPlatform } from "@fraud/core/aws";
import { openLocalPlatform } from "@fraud/core/local";
import type { LambdaEvent } from "hono/aws-lambda";
import type { APIGatewayProxyStructuredResultV2, Context, KinesisStreamEvent } from "aws-lambda";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../core/test/contract/emulators.ts";
import { tickingClock } from "../../core/test/contract/suites.ts";
import { createApi } from "@fraud/api";
import { createConsumerHandler } from "../src/consumer-app.ts";
import { createIngestHandler, registerBootstrapKey } from "../src/ingest-app.ts";
import { GatewayJwtCallers } from "../src/jwt.ts";
import { createReportHandler } from "../src/report-app.ts";

const KEY = "fk_test-bootstrap-key-0123456789";
const NOW = Date.parse("2025-06-15T12:00:00.000Z");
const silent = { error: () => undefined, warn: () => undefined };
const context = { functionName: "test", awsRequestId: "req-1", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

let emulators: Emulators;
let platform: AwsPlatform;
let tables: Awaited<ReturnType<Emulators["createTables"]>>;
beforeAll(async () => {
  emulators = await startEmulators();
  tables = await emulators.createTables();
  platform = openAwsPlatform({ tables, settings: Settings.defaultSettings, clients: emulators.clients, clock: tickingClock(NOW), rulesetCacheMs: 0 });
  await Demo.seedDemo(platform, new Date(NOW));
  await registerBootstrapKey(platform, KEY);
});
afterAll(async () => {
  await emulators?.stop();
});

// Hono's own type of the HTTP API (payload 2.0) event: `aws-lambda`'s differs on optional fields.
type HttpEvent = Extract<LambdaEvent, { version: string; rawPath: string }>;
function httpEvent(method: string, path: string, body?: unknown, key: string | undefined = KEY): HttpEvent {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "r",
      authorizer: {},
      authentication: null,
      routeKey: "$default",
      stage: "$default",
      time: "15/Jun/2025:12:00:00 +0000",
      timeEpoch: NOW,
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

describe("ingest Lambda", () => {
  const ingest = () => createIngestHandler(platform, { logger: silent });
  const call = async (event: HttpEvent) => {
    const res = (await ingest()(event, context)) as APIGatewayProxyStructuredResultV2;
    return { status: res.statusCode, body: JSON.parse(String(res.body)) };
  };

  it("scores like the local API: same request, same seeded data, same decision", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fraud-parity-"));
    const local = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings, clock: tickingClock(NOW) });
    try {
      await Demo.seedDemo(local, new Date(NOW));
      await local.apiKeys.create("test", ["ingest", "read"], { id: "t" }, KEY);
      const localApi = createApi({ scoring: local.scoring, decisions: local.decisions, apiKeys: local.apiKeys, logger: silent });
      const requests = [
        {
          transaction_id: "p-1",
          user_id: "user_001",
          amount: 120,
          merchant_id: "MERCH_AMAZON",
          device_id: "device_abc123",
          location: "New York, US",
          timestamp: "2025-06-15T11:00:00.000Z",
        },
        {
          transaction_id: "p-2",
          user_id: "user_002",
          amount: 6_500,
          merchant_id: "MERCH_SUSPICIOUS",
          device_id: "device_unknown",
          location: "Unknown",
          timestamp: "2025-06-15T11:01:00.000Z",
        },
        {
          transaction_id: "p-3",
          user_id: "user_003",
          amount: 1_500,
          merchant_id: "MERCH_APPLE",
          device_id: "device_new999",
          location: "Chicago, US",
          timestamp: "2025-06-15T11:02:00.000Z",
        },
      ];
      for (const tx of requests) {
        const aws = await call(httpEvent("POST", "/api/transactions", tx));
        const res = await localApi.request("/api/transactions", {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: JSON.stringify(tx),
        });
        const localBody = (await res.json()) as Record<string, unknown>;
        expect(aws.status).toBe(res.status);
        expect({ ...aws.body, latency_ms: 0 }).toEqual({ ...localBody, latency_ms: 0 });
      }
    } finally {
      local.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers a retry with the first decision, refuses bad keys and names every bad field", async () => {
    const tx = { transaction_id: "i-1", user_id: "user_004", amount: 900, merchant_id: "MERCH_APPLE", timestamp: "2025-06-15T11:03:00.000Z" };
    const first = await call(httpEvent("POST", "/api/transactions", tx));
    const again = await call(httpEvent("POST", "/api/transactions", tx));
    expect(first.status).toBe(200);
    expect(again).toEqual({ status: 200, body: { ...first.body, duplicate: true } });
    expect((await call(httpEvent("POST", "/api/transactions", tx, "fk_wrong-key-0000000000000"))).status).toBe(401);
    const bad = await call(httpEvent("POST", "/api/transactions", { user_id: "", amount: -1 }));
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["amount", "merchant_id", "user_id"]);
    const read = await call(httpEvent("GET", "/api/transactions/i-1"));
    expect(read.status).toBe(200);
    expect(read.body.transaction_id).toBe("i-1");
    expect((await call(httpEvent("GET", "/api/health", undefined, undefined))).body).toEqual({ status: "ok" });
  });
});

describe("ingest Lambda on a stage with a JWT authorizer", () => {
  const ISSUER = "https://idp.example.com/pool-1";
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  // API Gateway has checked the signature before the function runs; the function reads the claims.
  const token = (claims: Record<string, unknown>) =>
    `${b64({ alg: "RS256", kid: "k1" })}.${b64({ iss: ISSUER, sub: "pos-gateway", aud: "client-1", exp: NOW / 1000 + 3_600, iat: NOW / 1000, ...claims })}.${"s".repeat(342)}`;
  const callers = new GatewayJwtCallers({ issuer: ISSUER, audience: ["client-1", "client-2"] }, () => new Date(NOW));
  const call = async (event: HttpEvent) => {
    const res = (await createIngestHandler(platform, { logger: silent, callers })(event, context)) as APIGatewayProxyStructuredResultV2;
    return { status: res.statusCode, body: JSON.parse(String(res.body)) };
  };
  const tx = (id: string) => ({
    transaction_id: id,
    user_id: "user_001",
    amount: 120,
    merchant_id: "MERCH_AMAZON",
    device_id: "device_abc123",
    location: "New York, US",
  });

  it("scores with a token that has the ingest scope (plain or a resource server's), and reads with the read scope", async () => {
    const ingest = await call(httpEvent("POST", "/api/transactions", tx("jwt-1"), token({ scope: "fraud-api/ingest fraud-api/read" })));
    expect(ingest.status).toBe(200);
    expect(ingest.body).toMatchObject({ transaction_id: "jwt-1" });
    const read = await call(httpEvent("GET", "/api/transactions/jwt-1", undefined, token({ scp: ["read"], aud: undefined, client_id: "client-2" })));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ transaction_id: "jwt-1", decision: ingest.body.decision });
  });

  it("refuses a token without the scope (403), for another issuer, audience or expired (401), and API keys (401)", async () => {
    expect((await call(httpEvent("POST", "/api/transactions", tx("jwt-2"), token({ scope: "fraud-api/read" })))).status).toBe(403);
    expect((await call(httpEvent("POST", "/api/transactions", tx("jwt-2"), token({ scope: "ingest", iss: "https://other.example.com" })))).status).toBe(401);
    expect((await call(httpEvent("POST", "/api/transactions", tx("jwt-2"), token({ scope: "ingest", aud: "client-9" })))).status).toBe(401);
    expect((await call(httpEvent("POST", "/api/transactions", tx("jwt-2"), token({ scope: "ingest", exp: NOW / 1000 - 1 })))).status).toBe(401);
    expect((await call(httpEvent("POST", "/api/transactions", tx("jwt-2"), "not.a-token"))).status).toBe(401);
    expect((await call(httpEvent("POST", "/api/transactions", tx("jwt-2"), KEY))).status).toBe(401);
    expect(await platform.decisions.get("jwt-2")).toBeUndefined();
    await expect(callers.create()).rejects.toMatchObject({ code: "API_KEYS_NOT_USED" });
  });
});

describe("scored-event consumer Lambda", () => {
  it("alerts once per REVIEW/BLOCKED decision however often a record comes, feeds the inbox and live figures once, and reports bad records one by one", async () => {
    const sent: Platform.AlertMessage[] = [];
    const alerter: Platform.Alerter = { channel: "test", send: async (m) => void sent.push(m) };
    const metrics: Array<[string, number, string?]> = [];
    const fakeMetrics = {
      addMetric: (name: string, _unit: unknown, value: number) => void metrics.push([name, value]),
      singleMetric: () => {
        let dim: string | undefined;
        const single = {
          addDimension: (_k: string, v: string) => ((dim = v), single),
          addMetric: (name: string, _u: unknown, value: number) => void metrics.push([name, value, dim]),
        };
        return single;
      },
      publishStoredMetrics: () => undefined,
    };
    const handler = createConsumerHandler({
      alerters: [alerter],
      inbox: platform.alerts,
      liveMetrics: platform.metrics,
      persistence: () =>
        new DynamoDBPersistenceLayer({
          tableName: tables.idempotency,
          awsSdkV3Client: new DynamoDBClient({
            region: "eu-west-3",
            endpoint: emulators.endpoints.dynamodb,
            credentials: { accessKeyId: "t", secretAccessKey: "t" },
          }),
        }),
      metrics: fakeMetrics as never,
      logger: { error: () => undefined, addContext: () => undefined } as never,
    });
    const approved = (await platform.decisions.get("p-1"))!;
    const blocked = (await platform.decisions.get("p-2"))!;
    expect([approved.decision, blocked.decision]).toEqual(["APPROVED", "BLOCKED"]);
    const record = (seq: string, data: string) => ({
      eventSource: "aws:kinesis",
      eventID: `shardId-000000000000:${seq}`,
      kinesis: { sequenceNumber: seq, partitionKey: "p", data, kinesisSchemaVersion: "1.0", approximateArrivalTimestamp: NOW / 1000 },
    });
    const event = {
      Records: [
        record("1", Buffer.from(JSON.stringify(approved)).toString("base64")),
        record("2", Buffer.from(JSON.stringify(blocked)).toString("base64")),
        record("3", Buffer.from("not json").toString("base64")),
      ],
    } as unknown as KinesisStreamEvent;

    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: "3" }] });
    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: "3" }] });
    expect(sent.map((m) => [m.transaction_id, m.decision])).toEqual([["p-2", "BLOCKED"]]);
    expect((await platform.alerts.list({})).map((a) => [a.transaction_id, a.status])).toEqual([["p-2", "open"]]);
    expect(await platform.alerts.openCount()).toBe(1);
    const figures = await platform.metrics.perMinute(24 * 60, new Date(Date.parse(blocked.decided_at) + 60_000));
    const totals = figures.reduce(
      (t, m) => ({ APPROVED: t.APPROVED + m.APPROVED, BLOCKED: t.BLOCKED + m.BLOCKED, amount_blocked: t.amount_blocked + m.amount_blocked }),
      { APPROVED: 0, BLOCKED: 0, amount_blocked: 0 },
    );
    expect(totals).toEqual({ APPROVED: 1, BLOCKED: 1, amount_blocked: blocked.transaction.amount });
    expect(metrics.filter(([n]) => n === "Decisions")).toEqual([
      ["Decisions", 1, "APPROVED"],
      ["Decisions", 1, "BLOCKED"],
      ["Decisions", 1, "APPROVED"],
      ["Decisions", 1, "BLOCKED"],
    ]);
    expect(metrics.filter(([n]) => n === "Score").map(([, v]) => v)).toEqual([approved.score, blocked.score, approved.score, blocked.score]);
  });
});

describe("scored-event consumer Lambda on a stage with an alert webhook", () => {
  it("posts each alert signed, retries the record while the webhook fails without e-mailing again, and keeps the webhook's id", async () => {
    const secret = Monitoring.generateWebhookSecret();
    let answer = 500;
    const posts: Array<{ headers: Record<string, string>; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        posts.push({
          headers: {
            "webhook-id": String(req.headers["webhook-id"]),
            "webhook-timestamp": String(req.headers["webhook-timestamp"]),
            "webhook-signature": String(req.headers["webhook-signature"]),
          },
          body,
        });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    try {
      const emails: Platform.AlertMessage[] = [];
      const handler = createConsumerHandler({
        alerters: [
          { channel: "email", send: async (m) => void emails.push(m) },
          new Monitoring.WebhookAlerter(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, [secret]),
        ],
        inbox: platform.alerts,
        liveMetrics: platform.metrics,
        persistence: () =>
          new DynamoDBPersistenceLayer({
            tableName: tables.idempotency,
            awsSdkV3Client: new DynamoDBClient({
              region: "eu-west-3",
              endpoint: emulators.endpoints.dynamodb,
              credentials: { accessKeyId: "t", secretAccessKey: "t" },
            }),
          }),
        metrics: {
          addMetric: () => undefined,
          singleMetric: () => ({
            addDimension() {
              return this;
            },
            addMetric: () => undefined,
          }),
          publishStoredMetrics: () => undefined,
        } as never,
        logger: { error: () => undefined, addContext: () => undefined } as never,
      });
      const record = (seq: string, id: string) => async () => ({
        eventSource: "aws:kinesis",
        eventID: `shardId-000000000000:${seq}`,
        kinesis: {
          sequenceNumber: seq,
          partitionKey: "p",
          data: Buffer.from(JSON.stringify(await platform.decisions.get(id))).toString("base64"),
          kinesisSchemaVersion: "1.0",
          approximateArrivalTimestamp: NOW / 1000,
        },
      });
      // An approved decision next to the blocked one: the batch fails in part, as the stream sees it.
      const event = { Records: [await record("6", "p-1")(), await record("7", "p-2")()] } as unknown as KinesisStreamEvent;

      expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: "7" }] });
      answer = 204;
      expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
      expect(await handler(event, context)).toEqual({ batchItemFailures: [] });

      expect(emails.map((m) => m.transaction_id)).toEqual(["p-2"]);
      // Refused once, delivered once, then remembered.
      expect(posts).toHaveLength(2);
      expect(posts.map((p) => p.headers["webhook-id"])).toEqual([Monitoring.alertWebhookId("p-2"), Monitoring.alertWebhookId("p-2")]);
      for (const p of posts)
        expect(new Webhook(secret).verify(p.body, p.headers)).toMatchObject({ type: "fraud.alert", transaction_id: "p-2", decision: "BLOCKED" });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});

describe("report runner Lambda", () => {
  it("runs a report saved by an analyst (read from DynamoDB) or a built-in one, and refuses an unknown name", async () => {
    const queries: Report.ReportQuery[] = [];
    const runner: Platform.ReportRunner = {
      engine: "athena",
      check: async () => ({ ok: true }),
      async *stream(query) {
        queries.push(query);
        yield { type: "columns", columns: [{ name: "n", type: "number" }] };
        yield { type: "rows", rows: [[7]] };
        yield { type: "done", row_count: 1, truncated: false, elapsed_ms: 1, bytes_scanned: 10 };
      },
    };
    const reports = new Report.Reports({ store: new AwsReportStore(emulators.clients.dynamo, tables), runner });
    await reports.save(
      {
        name: "saved_count",
        title: "Count",
        sql: "SELECT count(*) AS n FROM decisions WHERE amount > :min",
        parameters: [{ name: "min", type: "number", label: "Minimum" }],
      },
      { id: "ana" },
    );
    const handler = createReportHandler(reports);
    const result = await handler({ report: "saved_count", params: { min: 500 }, row_limit: 10 });
    expect(result).toMatchObject({ report: "saved_count", params: { min: 500 }, rows: [[7]], row_count: 1 });
    expect(queries[0]).toMatchObject({ params: [{ type: "number", value: 500 }], row_limit: 10, trusted: false });
    const builtin = (await reports.list()).find((r) => r.builtin && r.parameters.every((p) => p.default !== undefined))!;
    expect((await handler({ report: builtin.name })).report).toBe(builtin.name);
    expect(queries.at(-1)?.trusted).toBe(true);
    await expect(handler({ report: "no_such_report" })).rejects.toMatchObject({ code: "REPORT_NOT_FOUND" });
    await expect(handler({ report: "saved_count", extra: 1 })).rejects.toThrow();
  });
});
