import { Demo, type Report, Settings } from "@fraud/core";
import { openLocalPlatform, simulateLake, type LocalPlatform, type SimulateLakeResult } from "@fraud/core/local";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApi } from "../src/app.ts";

const KEY = "reports-key-0123456789abcdef";
const INGEST_ONLY = "ingest-only-key-0123456789";
const RANGE = "from=2025-06-01&to=2025-06-03";

let dir: string;
let platform: LocalPlatform;
let api: ReturnType<typeof createApi>;
let sim: SimulateLakeResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fraud-reports-api-"));
  platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings });
  sim = await simulateLake({
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
  await platform.apiKeys.create("reader", ["read"], { id: "test" }, KEY);
  await platform.apiKeys.create("ingest", ["ingest"], { id: "test" }, INGEST_ONLY);
  api = createApi({
    scoring: platform.scoring,
    decisions: platform.decisions,
    apiKeys: platform.apiKeys,
    reports: platform.reports,
    logger: { error: () => undefined, warn: () => undefined },
  });
});

afterAll(() => {
  platform.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}, key = KEY) => api.request(path, { headers: { authorization: `Bearer ${key}`, ...headers } });

describe("reports API", () => {
  it("needs an API key with the read scope", async () => {
    expect((await api.request("/api/reports")).status).toBe(401);
    expect((await get("/api/reports", {}, INGEST_ONLY)).status).toBe(403);
    expect((await get(`/api/reports/overview/run?${RANGE}`, {}, INGEST_ONLY)).status).toBe(403);
  });

  it("lists the reports and shows one", async () => {
    const list = (await (await get("/api/reports")).json()) as { reports: Array<{ name: string; builtin: boolean }> };
    expect(list.reports.map((r) => r.name)).toContain("rule_hit_rates");
    const overview = await get("/api/reports/overview");
    expect(overview.status).toBe(200);
    expect(await overview.json()).toMatchObject({ name: "overview", builtin: true, parameters: [{ name: "from" }, { name: "to" }] });
    expect((await get("/api/reports/nope")).status).toBe(404);
  });

  it("runs a report with its parameters from the query string", async () => {
    const res = await get(`/api/reports/decisions_per_day/run?${RANGE}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { params: Record<string, string>; columns: Array<{ name: string }>; rows: number[][]; truncated: boolean };
    expect(body.params).toEqual({ from: "2025-06-01", to: "2025-06-03" });
    expect(body.columns.map((c) => c.name)).toEqual(["day", "transactions", "approved", "review", "blocked"]);
    expect(body.rows.map((r) => r[1])).toEqual([2_000, 2_000, 2_000]);
    const blocked = body.rows.reduce((n, r) => n + Number(r[4]), 0);
    expect(blocked).toBe(sim.decisions.BLOCKED);
    const limited = (await (await get(`/api/reports/top_customers/run?${RANGE}&limit=5`)).json()) as { rows: unknown[]; truncated: boolean };
    expect(limited.rows).toHaveLength(5);
    expect(limited.truncated).toBe(true);
  });

  it("streams the run as NDJSON events when asked", async () => {
    const res = await get(`/api/reports/overview/run?${RANGE}`, { accept: "application/x-ndjson" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const events = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Report.ReportEvent);
    expect(events.filter((e) => e.type !== "progress").map((e) => e.type)).toEqual(["columns", "rows", "done"]);
    expect(events.find((e) => e.type === "rows")).toMatchObject({ rows: [[6_000, expect.any(Number), expect.any(Number), expect.any(Number)]] });
  });

  it("answers bad parameters with 400 and the failing fields, streaming or not", async () => {
    const res = await get("/api/reports/overview/run?from=2025-13-01&colour=red");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "INVALID_REPORT_PARAMS", fields: { from: [expect.any(String)], colour: ["is not a parameter of this report"] } },
    });
    expect((await get("/api/reports/overview/run?from=2025-13-01", { accept: "application/x-ndjson" })).status).toBe(400);
    expect((await get(`/api/reports/overview/run?${RANGE}&limit=0`)).status).toBe(400);
    expect((await get(`/api/reports/nope/run?${RANGE}`)).status).toBe(404);
  });
});

describe("reports beside the decisions, with limits", () => {
  const SCORING_KEY = "limits-key-0123456789abcdef";
  let limitedDir: string;
  let limited: LocalPlatform;
  let limitedApi: ReturnType<typeof createApi>;
  const call = (path: string, init: RequestInit = {}) =>
    limitedApi.request(path, {
      ...init,
      headers: { authorization: `Bearer ${SCORING_KEY}`, "content-type": "application/json", ...(init.headers as Record<string, string>) },
    });
  /** Hours of work in little memory: three copies of the lake joined. */
  const SLOW = { name: "slow", title: "Slow", sql: "SELECT count(*) AS n FROM decisions a, decisions b, decisions c" };
  /** The lake joined with itself three times, every amount in one list. */
  const HOG = { name: "hog", title: "Hog", sql: "SELECT len(list(a.amount)) AS n FROM decisions a, decisions b, decisions c" };

  beforeAll(async () => {
    limitedDir = mkdtempSync(join(tmpdir(), "fraud-reports-limits-"));
    limited = openLocalPlatform({
      dataDir: limitedDir,
      settings: Settings.defaultSettings,
      reports: { memoryMb: 64, timeoutMs: 3_000, concurrency: 1, queue: 0 },
    });
    await Demo.seedDemo(limited, new Date());
    await simulateLake({
      lakeDir: limited.lakeDir,
      days: 3,
      txPerDay: 2_000,
      end: new Date("2025-06-03T00:00:00Z"),
      seed: 7,
      labelsDb: limited.db,
      runId: "limits",
      threads: 1,
    });
    await limited.apiKeys.create("limits", ["ingest", "read"], { id: "test" }, SCORING_KEY);
    for (const def of [SLOW, HOG]) await limited.reports.save(def, { id: "ana" });
    limitedApi = createApi({
      scoring: limited.scoring,
      decisions: limited.decisions,
      apiKeys: limited.apiKeys,
      reports: limited.reports,
      logger: { error: () => undefined, warn: () => undefined },
    });
  });
  afterAll(() => {
    limited.close();
    rmSync(limitedDir, { recursive: true, force: true });
  });

  it("a report past its memory limit answers 422 REPORT_MEMORY_LIMIT, with a message and no engine text", async () => {
    const res = await call("/api/reports/hog/run");
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("REPORT_MEMORY_LIMIT");
    expect(body.error.message).toBe(
      "the report needed more memory than reports may use (64 MB) and was stopped; narrow the date range or group by fewer values",
    );
    // Streamed, the engine stops before the first event: the answer is still a plain 422.
    const streamed = await call("/api/reports/hog/run", { headers: { accept: "application/x-ndjson" } });
    expect(streamed.status).toBe(422);
    expect(await streamed.json()).toEqual(body);
  });

  it("while a report runs, transactions are decided; another report is refused with 503; the report stops at its time-out and its process is ended", async () => {
    const res = await call("/api/reports/slow/run", { headers: { accept: "application/x-ndjson" } });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    expect(JSON.parse(text.split("\n")[0]!)).toMatchObject({ type: "progress" });
    const [pid] = limited.reportRunner.processIds();
    expect(pid).toBeDefined();
    expect(pid).not.toBe(process.pid);

    for (let i = 0; i < 20; i++) {
      const decided = await call("/api/transactions", {
        method: "POST",
        body: JSON.stringify({
          transaction_id: `beside-report-${i}`,
          user_id: "user_001",
          amount: 120,
          merchant_id: "MERCH_AMAZON",
          device_id: "device_abc123",
          location: "New York, US",
        }),
      });
      expect(decided.status).toBe(200);
      expect(await decided.json()).toMatchObject({ transaction_id: `beside-report-${i}`, decision: expect.stringMatching(/^(APPROVED|REVIEW|BLOCKED)$/) });
    }
    expect(limited.reportRunner.processIds()).toEqual([pid]);

    const busy = await call(`/api/reports/overview/run?${RANGE}`);
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("5");
    expect(await busy.json()).toMatchObject({ error: { code: "REPORTS_BUSY" } });

    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    const last = JSON.parse(text.trim().split("\n").at(-1)!) as { type: string; code: string };
    expect(last).toEqual({ type: "error", code: "REPORT_TIMEOUT", message: "the report took longer than 3 s and was stopped" });
    expect(() => process.kill(pid!, 0)).toThrow();
    const after = await call(`/api/reports/decisions_per_day/run?${RANGE}`);
    expect(after.status).toBe(200);
  });

  it("answers a report past its time-out with 504 as JSON", async () => {
    const res = await call("/api/reports/slow/run");
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: { code: "REPORT_TIMEOUT", message: "the report took longer than 3 s and was stopped" } });
  });
});
