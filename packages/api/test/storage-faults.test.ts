import { Errors } from "@fraud/core";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApi } from "../src/app.ts";
import { tableCounts, testApp, TEST_KEY, type TestApp } from "./helpers.ts";

let t: TestApp;
const logged: string[] = [];
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.cleanup());

describe("disk full", () => {
  it("answers 503 with a clear log line, writes nothing half, and resumes when space returns", async () => {
    const api = createApi({
      scoring: t.platform.scoring,
      decisions: t.platform.decisions,
      apiKeys: t.platform.apiKeys,
      healthy: async () => t.platform.healthy(),
      logger: { error: (m) => logged.push(m), warn: () => undefined },
    });
    const post = (id: string) =>
      api.request("/api/transactions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` },
        body: JSON.stringify({ transaction_id: id, user_id: "disk_user", amount: 10, merchant_id: "M", merchant_category: "x".repeat(100) }),
      });
    expect((await post("disk-0")).status).toBe(200);
    // Simulate a full disk: SQLite may not grow the file past its current size.
    const pages = t.platform.db.pragma("page_count", { simple: true }) as number;
    t.platform.db.pragma(`max_page_count = ${pages}`);
    const before = tableCounts(t.platform);
    const statuses: number[] = [];
    for (let i = 1; i <= 400; i++) {
      const res = await post(`disk-${i}`);
      statuses.push(res.status);
      const text = await res.text();
      if (res.status === 503)
        expect(JSON.parse(text)).toEqual({ error: { code: "UNAVAILABLE", message: "the service cannot record decisions right now; retry later" } });
      if (res.status === 503) break;
    }
    expect(statuses.at(-1)).toBe(503);
    expect(logged.some((l) => l.includes("store unavailable"))).toBe(true);
    const accepted = statuses.filter((s) => s === 200).length;
    const after = tableCounts(t.platform);
    // Every decision that was acknowledged is complete (decision + outbox); the refused one left nothing.
    expect(after.decisions - before.decisions).toBe(accepted);
    expect(after.outbox - before.outbox).toBe(accepted);
    expect(await t.platform.decisions.get(`disk-${statuses.length}`)).toBeUndefined();
    expect((await api.request("/api/health")).status).toBe(503);

    t.platform.db.pragma("max_page_count = 1073741823");
    await new Promise((r) => setTimeout(r, 350));
    expect((await api.request("/api/health")).status).toBe(200);
    expect((await post(`disk-${statuses.length}`)).status).toBe(200);
  });
});

describe("read-only data dir", () => {
  // The kernel refuses to remount a directory read-only while the database is open for writing
  // (EBUSY, tried here as root), so the store is made read-only from inside: SQLite's query_only
  // fails every write with SQLITE_READONLY, the code a read-only file system gives.
  it("answers 503 with a clear log line, writes nothing, and resumes when writable again", async () => {
    const lines: string[] = [];
    const api = createApi({
      scoring: t.platform.scoring,
      decisions: t.platform.decisions,
      apiKeys: t.platform.apiKeys,
      healthy: async () => t.platform.healthy(),
      logger: { error: (m, data) => lines.push(`${m} ${JSON.stringify(data ?? {})}`), warn: () => undefined },
    });
    const post = (id: string) =>
      api.request("/api/transactions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` },
        body: JSON.stringify({ transaction_id: id, user_id: "ro_user", amount: 10, merchant_id: "M" }),
      });
    expect((await post("ro-0")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    const before = tableCounts(t.platform);
    const lake = await LocalLakeWriter.open(t.platform.lakeDir);
    const worker = new OutboxWorker(t.platform.db, lake, { lakeFlushSeconds: 0 });
    t.platform.db.pragma("query_only = ON");
    try {
      const res = await post("ro-1");
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: "UNAVAILABLE", message: "the service cannot record decisions right now; retry later" } });
      expect(lines.some((l) => l.startsWith("store unavailable: request refused with 503") && /readonly/i.test(l))).toBe(true);
      expect(tableCounts(t.platform)).toEqual(before);
      expect((await api.request("/api/health")).status).toBe(503);

      // The worker stops at the same wall: nothing processed, its offsets where they were; one
      // starting now is told the store is unavailable (it waits and retries), not a crash.
      const offsets = [worker.offset("alerts_metrics"), worker.offset("lake")];
      expect(() => worker.stepAlertsAndMetrics()).toThrow(Errors.UnavailableError);
      await expect(worker.stepLake(Date.now(), true)).rejects.toThrow(Errors.UnavailableError);
      expect([worker.offset("alerts_metrics"), worker.offset("lake")]).toEqual(offsets);
      expect(() => new OutboxWorker(t.platform.db, lake)).toThrow(Errors.UnavailableError);
      t.platform.db.pragma("query_only = OFF");
      // Writable again: the worker carries on from the same offsets.
      await worker.drain();
      expect(worker.offset("alerts_metrics")).toBeGreaterThan(offsets[0]!);
      expect(worker.lakeBacklog()).toBe(0);
    } finally {
      t.platform.db.pragma("query_only = OFF");
      lake.close();
    }
    await new Promise((r) => setTimeout(r, 350));
    expect((await api.request("/api/health")).status).toBe(200);
    expect((await post("ro-1")).status).toBe(200);
    expect(tableCounts(t.platform).decisions).toBe(before.decisions + 1);
  });
});
