import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  alertEmail,
  alertOf,
  AthenaReportRunner,
  AwsAuditTrail,
  AwsRuleStore,
  dashboardPlatform,
  hashApiKey,
  openAwsPlatform,
  SnsAlerter,
} from "../../src/adapters/aws/index.ts";
import { hashApiKey as localHashApiKey } from "../../src/adapters/local/api-keys.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import { collectReport, rowObjects, type ReportEvent, type ReportQuery } from "../../src/report/report.ts";
import { RulesetContent } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { startEmulators, type Emulators } from "./emulators.ts";
import { tickingClock } from "./suites.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

async function platformWith() {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock: tickingClock(), rulesetCacheMs: 0 });
  const draft = await p.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), { id: "t" });
  await p.rules.publish(draft.version, { id: "t" });
  return { p, tables };
}

const body = (id: string, amount = 100) => ({ transaction_id: id, user_id: "user-7", amount, merchant_id: "m-1", timestamp: "2025-06-15T11:00:00.000Z" });

describe("test transactions on AWS", () => {
  it("are recorded only where the table of test transactions is given (the dashboard): the ingest function's platform refuses them", async () => {
    const { tables } = await platformWith();
    // The tables as the ingest and consumer functions know them: without the test table.
    const { tests: _tests, ...ingestTables } = tables;
    const athena = { workGroup: "test-fraud-analysts", database: "fraud_test" };
    const withoutTests = openAwsPlatform({
      tables: ingestTables,
      settings: defaultSettings,
      clients: emulators.clients,
      rulesetCacheMs: 0,
      athena,
    });
    expect(withoutTests.testDecisions).toBeUndefined();
    await expect(withoutTests.scoring.submitTest(body("no-test-here"))).rejects.toThrow(/no test decision log/);
    expect(() => dashboardPlatform(withoutTests)).toThrow(/FRAUD_TABLE_TESTS/);
    expect(await withoutTests.decisions.get("no-test-here")).toBeUndefined();
    expect(emulators.outbox(tables.decisions)).toEqual([]);
  });
});

describe("SNS alerter", () => {
  it("publishes REVIEW and BLOCKED alerts with ids and figures, and none for APPROVED", async () => {
    const { p } = await platformWith();
    const { TopicArn } = await emulators.clients.sns.send(new CreateTopicCommand({ Name: "test-fraud-alerts" }));
    const alerter = new SnsAlerter(emulators.clients.sns, TopicArn!);
    const small = await p.scoring.submit(body("a-1", 100));
    const big = await p.scoring.submit({ ...body("a-2", 9_000), device_id: "new-device", location: "Lagos, NG" });
    if (small.status !== "recorded" || big.status !== "recorded") throw new Error("not recorded");
    expect(small.decision.decision).toBe("APPROVED");
    expect(alertOf(small.decision)).toBeUndefined();
    const message = alertOf(big.decision)!;
    expect(message).toMatchObject({ transaction_id: "a-2", user_id: "user-7", amount: 9_000, currency: "XAF" });
    await alerter.send(message);
    const seen = await emulators.fauxqs.spy.waitForMessage({ service: "sns", topicName: "test-fraud-alerts", status: "published" }, undefined, 5_000);
    expect(seen).toMatchObject({
      body: alertEmail(message).body,
      messageAttributes: { decision: { StringValue: big.decision.decision }, transaction_id: { StringValue: "a-2" } },
    });
    expect(alertEmail(message).body).toContain(`Rules fired: ${big.decision.rules.map((r) => r.id).join(", ")}`);
  });

  it("writes a subject SNS accepts: printable ASCII, at most 100 characters", () => {
    const { subject } = alertEmail({
      transaction_id: "x",
      user_id: "Amadou-Ngoné-".repeat(10),
      decision: "BLOCKED",
      score: 95,
      amount: 1e9,
      currency: "XAF",
      rules: [],
      decided_at: "2025-06-15T11:00:00.000Z",
    });
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe("API key hashing", () => {
  it("hashes keys exactly like the local store, so keys can move between deployments", () => {
    for (const key of ["fk_abc", "a-chosen-key-of-32-characters-xx", "ключ"]) expect(hashApiKey(key)).toBe(localHashApiKey(key));
  });
});

describe("Athena report runner", () => {
  const athena = mockClient(AthenaClient);
  const client = new AthenaClient({ region: "eu-west-3", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const waits: number[] = [];
  const runner = () =>
    new AthenaReportRunner(client, { workGroup: "wg", database: "fraud_test", pollMs: 100, maxPollMs: 400, sleep: async (ms) => void waits.push(ms) });
  const query = (over: Partial<ReportQuery> = {}): ReportQuery => ({
    sql: "SELECT dt, count(*) FROM decisions WHERE dt >= ? GROUP BY 1",
    params: [{ type: "date", value: "2025-06-14" }],
    row_limit: 100,
    timeout_ms: 60_000,
    trusted: true,
    ...over,
  });
  beforeEach(() => {
    athena.reset();
    waits.length = 0;
  });
  const column = (Name: string, Type: string) => ({ Name, Type });
  const row = (...values: Array<string | undefined>) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });
  const meta = {
    ColumnInfo: [
      column("dt", "varchar"),
      column("decisions", "bigint"),
      column("blocked_share", "double"),
      column("last_at", "timestamp(3)"),
      column("rules", "array"),
    ],
  };

  it("starts the query in the workgroup with bound parameters, polls with backoff, pages the results and types the cells", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: "QUEUED" } } })
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
      .resolves({ QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 2048 } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: "q-1", NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: meta,
          Rows: [row("dt", "decisions", "blocked_share", "last_at", "rules"), row("2025-06-14", "120", "0.05", "2025-06-14 23:59:58.123", "[R1, R2]")],
        },
        NextToken: "p2",
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: "q-1", NextToken: "p2" })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row("2025-06-15", "80", undefined, "2025-06-15 08:00:00.000", "[]")] } });

    const events: ReportEvent[] = [];
    for await (const e of runner().stream(query())) events.push(e);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: "SELECT dt, count(*) FROM decisions WHERE dt >= ? GROUP BY 1",
      WorkGroup: "wg",
      QueryExecutionContext: { Database: "fraud_test" },
      ExecutionParameters: ["'2025-06-14'"],
    });
    expect(waits).toEqual([100, 200, 400, 400]);
    expect(events.filter((e) => e.type === "progress")).toHaveLength(4);
    const result = await collectReport(
      (async function* () {
        yield* events;
      })(),
    );
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ["dt", "string"],
      ["decisions", "number"],
      ["blocked_share", "number"],
      ["last_at", "timestamp"],
      ["rules", "array"],
    ]);
    expect(rowObjects(result)).toEqual([
      { dt: "2025-06-14", decisions: 120, blocked_share: 0.05, last_at: "2025-06-14T23:59:58.123Z", rules: ["R1", "R2"] },
      { dt: "2025-06-15", decisions: 80, blocked_share: null, last_at: "2025-06-15T08:00:00.000Z", rules: [] },
    ]);
    expect(result).toMatchObject({ row_count: 2, truncated: false, bytes_scanned: 2048 });
  });

  it("stops at the row limit and says the result is truncated", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-2" });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row("h"), row("a", "1"), row("b", "2"), row("c", "3")] }, NextToken: "more" });
    const result = await collectReport(runner().stream(query({ row_limit: 2 })));
    expect(result.rows.map((r) => r[0])).toEqual(["a", "b"]);
    expect(result.truncated).toBe(true);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(1);
  });

  it("turns the workgroup's scan limit into an error the analyst can act on", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-3" });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: "FAILED", StateChangeReason: "Query cancelled: Bytes scanned limit was exceeded", AthenaError: { ErrorType: 1 } } },
    });
    const error = (await collectReport(runner().stream(query())).catch((e: unknown) => e)) as VisibleError;
    expect(error).toBeInstanceOf(VisibleError);
    expect(error.code).toBe("REPORT_SCAN_LIMIT");
  });

  it("shows an analyst Athena's message about their own SQL, and rejects what is not one SELECT before running it", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-4" });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: "SUCCEEDED" } } })
      .resolves({ QueryExecution: { Status: { State: "FAILED", StateChangeReason: "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved" } } });
    const error = (await collectReport(runner().stream(query({ sql: "SELECT nope FROM decisions", params: [], trusted: false }))).catch(
      (e: unknown) => e,
    )) as VisibleError;
    expect(error.code).toBe("REPORT_SQL_ERROR");
    expect(error.message).toContain("Column 'nope' cannot be resolved");
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.QueryString).toBe("EXPLAIN (TYPE VALIDATE) SELECT nope FROM decisions");

    athena.reset();
    for (const sql of ["DROP TABLE decisions", "SELECT 1; DELETE FROM decisions", "  "]) {
      const check = await runner().check(sql);
      expect(check.ok, sql).toBe(false);
    }
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    const rejected = (await collectReport(runner().stream(query({ sql: "INSERT INTO decisions VALUES (1)", params: [], trusted: false }))).catch(
      (e: unknown) => e,
    )) as VisibleError;
    expect(rejected.code).toBe("REPORT_SQL_REJECTED");
  });

  it("refuses the catalogue, hidden columns, table functions and the session's identity before Athena sees them", async () => {
    const attempts: Array<[string, RegExp]> = [
      ["SELECT * FROM information_schema.tables", /'information_schema' is the engine's catalogue/],
      ["SELECT table_name FROM INFORMATION_SCHEMA.columns WHERE table_schema = 'fraud_test'", /catalogue/],
      ['SELECT * FROM "information_schema"."views"', /catalogue/],
      ["SELECT * FROM system.runtime.queries", /'system' is the engine's catalogue/],
      ['SELECT "$path", count(*) FROM decisions GROUP BY 1', /'\$path': hidden columns/],
      ['SELECT DISTINCT "$file_modified_time" FROM decisions', /hidden columns/],
      ['SELECT * FROM "decisions$partitions"', /'decisions\$partitions': hidden columns and metadata tables/],
      ["SELECT * FROM TABLE(system.query(query => 'SELECT 1'))", /catalogue|table functions/],
      ["SELECT * FROM TABLE (exclude_columns(input => TABLE(decisions), columns => DESCRIPTOR(amount)))", /table functions/],
      ["SELECT current_user", /function 'current_user'/],
      ["WITH x AS (SELECT current_groups() AS g) SELECT * FROM x", /function 'current_groups'/],
    ];
    for (const [sql, message] of attempts) {
      const check = await runner().check(sql);
      expect(check, sql).toMatchObject({ ok: false, message: expect.stringMatching(message) });
    }
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    // The same words inside strings, comments or as ordinary names are not the catalogue.
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-7" });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    const fine = "SELECT 'information_schema' AS s, \"system\" AS sys_name -- current_user\n/* \"$path\" */ FROM decisions WHERE user_id <> 'TABLE(x)'";
    expect(await runner().check(fine)).toEqual({ ok: true });
  });

  it("runs saved reports (kept in DynamoDB) on Athena in the deployment's workgroup when the platform is given one", async () => {
    const tables = await emulators.createTables();
    const base = { tables, settings: defaultSettings, clock: tickingClock() };
    expect(openAwsPlatform({ ...base, clients: emulators.clients }).reports).toBeUndefined();
    const p = openAwsPlatform({ ...base, clients: { ...emulators.clients, athena: client }, athena: { workGroup: "wg", database: "fraud_test" } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-6" });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [column("n", "bigint")] }, Rows: [row("n"), row("42")] } });
    await p.reports!.save({ name: "blocked_count", title: "Blocked", sql: "SELECT count(*) AS n FROM decisions WHERE decision = 'BLOCKED'" }, { id: "ana" });
    expect((await p.reports!.list()).find((r) => r.name === "blocked_count")).toMatchObject({ builtin: false, updated_by: "ana" });
    const result = await p.reports!.run("blocked_count", {});
    expect(rowObjects(result)).toEqual([{ n: 42 }]);
    const started = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(started.at(-1)).toMatchObject({
      WorkGroup: "wg",
      QueryExecutionContext: { Database: "fraud_test" },
      QueryString: expect.stringContaining("FROM decisions"),
    });
    expect(p.backtests).toBeDefined();
  });

  it("stops a query that runs past its time-out, or when the caller cancels", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-5" });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const timeout = (await collectReport(runner().stream(query({ timeout_ms: 0 }))).catch((e: unknown) => e)) as VisibleError;
    expect(timeout.code).toBe("REPORT_TIMEOUT");
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryExecutionId: "q-5" });

    const controller = new AbortController();
    const events = runner().stream(query(), { signal: controller.signal });
    const progress = await events.next();
    expect(progress.value).toMatchObject({ type: "progress" });
    controller.abort();
    const cancelled = (await events.next().catch((e: unknown) => e)) as VisibleError;
    expect(cancelled.code).toBe("REPORT_CANCELLED");
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(2);
  });
});

describe("ruleset rollback on DynamoDB", () => {
  it("writes the copy, the live pointer and the audit entry together: a rollback that loses the race leaves nothing behind", async () => {
    const tables = await emulators.createTables();
    const clock = tickingClock();
    const actor = { id: "analyst-1" };
    const rules = RulesetContent.parse(DEMO_RULESET);
    const other = new AwsRuleStore(emulators.clients.dynamo, tables, clock);
    let racer: (() => Promise<unknown>) | undefined;
    // Another analyst publishes just before the write that moves the live pointer.
    const racing = new Proxy(emulators.clients.dynamo, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver);
        return async (command: Parameters<DynamoDBDocumentClient["send"]>[0]) => {
          const movesPointer = command instanceof TransactWriteCommand && (command.input.TransactItems ?? []).some((i) => i.Update?.Key?.pk === "LIVE");
          if (movesPointer && racer) {
            const run = racer;
            racer = undefined;
            await run();
          }
          return target.send(command as never);
        };
      },
    });
    const store = new AwsRuleStore(racing, tables, clock);
    await store.publish((await store.saveDraft(rules, actor)).version, actor);
    const draft = await other.saveDraft({ ...rules, thresholds: { review: 45, block: 75 } }, actor);
    racer = () => other.publish(draft.version, { id: "bob" });

    const error = (await store.rollback(1, actor).catch((e: unknown) => e)) as VisibleError;
    expect(error).toBeInstanceOf(VisibleError);
    expect(error.code).toBe("RULESET_LIVE_CHANGED");
    expect(await store.liveVersion()).toBe(2);
    expect((await store.versions()).map((r) => [r.version, r.status, r.note])).toEqual([
      [2, "published", ""],
      [1, "archived", ""],
    ]);
    const audit = await new AwsAuditTrail(emulators.clients.dynamo, tables, clock, 2).list({ entity: "ruleset" });
    expect(audit.map((e) => e.action).filter((a) => a !== "ruleset.draft")).toEqual(["ruleset.publish", "ruleset.publish"]);

    // Tried again, it rolls back as version 3.
    expect(await store.rollback(1, actor)).toMatchObject({ version: 3, status: "published", note: "rollback to version 1" });
    expect(await store.liveVersion()).toBe(3);
  });
});
