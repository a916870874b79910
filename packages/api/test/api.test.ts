import { Demo } from "@fraud/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_ONLY_KEY, tableCounts, testApp, type TestApp } from "./helpers.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.cleanup());

/** The ingest route's behaviour is the same through Hono (Lambda, tests) and through Node's HTTP server (`npm start`). */
const transports = ["hono", "node"] as const;

const valid = { user_id: "user_001", amount: 120, merchant_id: "MERCH_AMAZON", device_id: "device_abc123", location: "New York, US" };

describe.each(transports)("POST /api/transactions (%s)", (transport) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(transport);
  });
  afterAll(() => t.cleanup());

  it("runs the lab scenario end to end: normal approved, suspicious flagged", async () => {
    const results: Array<{ label: string; decision: string }> = [];
    for (const { label, transaction } of Demo.labScenario({ seed: 7, runId: "api-lab" })) {
      const res = await t.post(transaction);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { decision: string; rules: Array<{ id: string; values: Record<string, unknown> }>; latency_ms: number };
      expect(body.latency_ms).toBeGreaterThan(0);
      if (body.decision !== "APPROVED") expect(body.rules.length).toBeGreaterThan(0);
      results.push({ label, decision: body.decision });
    }
    const normal = results.filter((r) => r.label === "normal");
    const suspicious = results.filter((r) => r.label === "suspicious");
    expect(normal).toHaveLength(30);
    expect(normal.every((r) => r.decision === "APPROVED")).toBe(true);
    expect(suspicious).toHaveLength(10);
    expect(suspicious.every((r) => r.decision === "REVIEW" || r.decision === "BLOCKED")).toBe(true);
  });

  it("answers with the decision, score, fired rules with their values and latency", async () => {
    const res = await t.post({ ...valid, transaction_id: "explain-1", amount: 9000, device_id: "device_other", location: "Douala, CM" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { rules: Array<{ id: string; values: Record<string, unknown> }> };
    expect(body).toMatchObject({ transaction_id: "explain-1", decision: "BLOCKED", score: 100 });
    const ids = body.rules.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(["VERY_HIGH_AMOUNT", "DEVICE_CHANGE", "LOCATION_CHANGE"]));
    const location = body.rules.find((r) => r.id === "LOCATION_CHANGE")!;
    expect(location.values.distance_km as number).toBeGreaterThan(9000);
  });

  it("returns the first decision for a retried transaction_id and changes nothing", async () => {
    const tx = { ...valid, transaction_id: "retry-1", timestamp: new Date().toISOString() };
    const first = (await (await t.post(tx)).json()) as Record<string, unknown>;
    const before = tableCounts(t.platform);
    const profileBefore = await t.platform.profiles.get("user_001");
    const res = await t.post(tx);
    expect(res.status).toBe(200);
    const again = (await res.json()) as Record<string, unknown>;
    expect(again.duplicate).toBe(true);
    expect(again.decision).toBe(first.decision);
    expect(again.score).toBe(first.score);
    expect(tableCounts(t.platform)).toEqual(before);
    expect((await t.platform.profiles.get("user_001"))?.version).toBe(profileBefore?.version);
  });

  it("refuses a reused transaction_id with a different body (409)", async () => {
    await t.post({ ...valid, transaction_id: "reuse-1" });
    const res = await t.post({ ...valid, transaction_id: "reuse-1", amount: 999 });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("DUPLICATE_TRANSACTION_ID");
  });

  it("names every failing field and stores nothing", async () => {
    const before = tableCounts(t.platform);
    const res = await t.post({ user_id: "", amount: "12", merchant: "x", timestamp: new Date(Date.now() + 3_600_000).toISOString() });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string[]> } };
    expect(body.error.code).toBe("INVALID_TRANSACTION");
    expect(Object.keys(body.error.fields).sort()).toEqual(["amount", "merchant", "merchant_id", "timestamp", "user_id"]);
    expect(tableCounts(t.platform)).toEqual(before);
  });

  it("has no way to mark a transaction as a test: a `test` field is refused (400) and nothing is stored", async () => {
    const before = tableCounts(t.platform);
    for (const test of [true, "true", 1]) {
      const res = await t.post({ ...valid, transaction_id: `api-test-${String(test)}`, test });
      expect(res.status).toBe(400);
      expect(Object.keys(((await res.json()) as { error: { fields: Record<string, string[]> } }).error.fields)).toEqual(["test"]);
    }
    expect(tableCounts(t.platform)).toEqual(before);
  });

  it("requires a valid key with the ingest scope", async () => {
    expect((await t.post(valid, { key: "wrong-key-000000000000" })).status).toBe(401);
    const noHeader = await t.post(valid, { key: null });
    expect(noHeader.status).toBe(401);
    expect((await t.post(valid, { key: READ_ONLY_KEY })).status).toBe(403);
  });

  it("refuses oversized bodies (413), invalid JSON and invalid UTF-8 (400)", async () => {
    const huge = JSON.stringify({ ...valid, merchant_category: "x".repeat(20_000) });
    expect((await t.post(undefined, { raw: huge })).status).toBe(413);
    const bad = await t.post(undefined, { raw: "{not json" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("INVALID_JSON");
    const latin1 = new Uint8Array([...new TextEncoder().encode('{"user_id":"caf'), 0xe9, ...new TextEncoder().encode('","amount":1,"merchant_id":"m"}')]);
    const enc = await t.post(undefined, { raw: latin1 });
    expect(enc.status).toBe(400);
    expect(((await enc.json()) as { error: { code: string } }).error.code).toBe("INVALID_ENCODING");
  });

  it("refuses a body streamed past the limit without a declared length (413), and keeps serving", async () => {
    const before = tableCounts(t.platform);
    const chunk = new TextEncoder().encode(`{"user_id":"u","merchant_id":"m","amount":1,"x":"${"y".repeat(8_000)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 4) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await t.post(undefined, { raw: stream as unknown as Uint8Array, headers: {} });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("BODY_TOO_LARGE");
    expect(tableCounts(t.platform)).toEqual(before);
    expect((await t.post({ ...valid, transaction_id: `after-413-${transport}` })).status).toBe(200);
  });

  it("never answers 500 nor stores anything for arbitrary bodies", async () => {
    const before = tableCounts(t.platform);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record(
            { user_id: fc.string(), amount: fc.oneof(fc.double(), fc.string(), fc.constant(0), fc.constant(-1)), merchant_id: fc.string({ maxLength: 200 }) },
            { requiredKeys: [] },
          ),
          fc.string().map((s) => ({ raw: s })),
        ),
        async (input) => {
          const isRaw = typeof input === "object" && input !== null && "raw" in input && Object.keys(input).length === 1;
          const res = isRaw ? await t.post(undefined, { raw: (input as { raw: string }).raw }) : await t.post(input);
          expect(res.status).not.toBe(500);
          const text = await res.text();
          expect(text).not.toMatch(/at .*\.ts:\d+|TypeError|ReferenceError|SqliteError/);
          if (res.status !== 200) {
            expect(tableCounts(t.platform).decisions).toBe(before.decisions);
          }
          before.decisions = tableCounts(t.platform).decisions;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("GET /api/transactions/{id}, health and OpenAPI", () => {
  it("returns the decision with its explanation to a read key", async () => {
    await t.post({ ...valid, transaction_id: "get-1", amount: 7000 });
    const res = await t.api.request("/api/transactions/get-1", { headers: { authorization: `Bearer ${READ_ONLY_KEY}` } });
    expect(res.status).toBe(200);
    const d = (await res.json()) as { features: Record<string, unknown>; rules: unknown[]; profile_before: Record<string, unknown> };
    expect(d.features.amount).toBe(7000);
    expect(d.rules.length).toBeGreaterThan(0);
    expect(d.profile_before.risk_level).toBe("LOW");
    expect((await t.api.request("/api/transactions/nope", { headers: { authorization: `Bearer ${READ_ONLY_KEY}` } })).status).toBe(404);
    expect((await t.api.request("/api/transactions/get-1")).status).toBe(401);
  });

  it("never returns a test transaction from the dashboard, even to a read key", async () => {
    const tested = await t.platform.scoring.submitTest({ ...valid, transaction_id: "dashboard-test-1" });
    expect(tested.status).toBe("recorded");
    const res = await t.api.request("/api/transactions/dashboard-test-1", { headers: { authorization: `Bearer ${READ_ONLY_KEY}` } });
    expect(res.status).toBe(404);
  });

  it("serves health and an OpenAPI document describing the transaction", async () => {
    expect(await (await t.api.request("/api/health")).json()).toEqual({ status: "ok" });
    const doc = (await (await t.api.request("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/transactions", "/api/transactions/{id}", "/api/health"]));
    expect(JSON.stringify(doc.paths["/api/transactions"])).toContain("counterparty_id");
  });
});

describe("rate limiting", () => {
  it("answers 429 with Retry-After past a key's rate, and other keys are unaffected", async () => {
    const { createApi } = await import("../src/app.ts");
    const limited = createApi({
      scoring: t.platform.scoring,
      decisions: t.platform.decisions,
      apiKeys: t.platform.apiKeys,
      rateLimitPerS: 5,
      logger: { error: () => undefined, warn: () => undefined },
    });
    const get = (key: string) => limited.request("/api/transactions/none", { headers: { authorization: `Bearer ${key}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await get(READ_ONLY_KEY)).status);
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(10)).toContain(429);
    const res = await get(READ_ONLY_KEY);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await get("test-key-0123456789abcdef")).status).toBe(404);
  });
});
