import { Demo, Settings, WORKER_STALE_AFTER_MS, type WorkerHeartbeat } from "@fraud/core";
import { LocalLakeWriter, OperationsStore, openLocalPlatform, OutboxWorker, type LocalPlatform } from "@fraud/core/local";
import { createApi } from "@fraud/api";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localReadiness } from "../src/telemetry/readiness.ts";

/*
 * GET /api/ready on real SQLite stores: ready only when the store accepts writes, the worker's
 * heartbeat is recent and the worker keeps up; otherwise 503 with the first failing reason.
 */

const dirs: string[] = [];
const opened: LocalPlatform[] = [];
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(dataDir: string, clock?: () => Date): LocalPlatform {
  const p = openLocalPlatform({ dataDir, settings: Settings.defaultSettings, unhealthyAfterFailureMs: 0, ...(clock ? { clock } : {}) });
  opened.push(p);
  return p;
}

function heartbeat(at: Date): WorkerHeartbeat {
  return {
    at: at.toISOString(),
    pid: 1,
    started_at: at.toISOString(),
    memory: { rss_bytes: 1, heap_used_bytes: 1 },
    event_loop_delay_p99_s: 0,
    deliveries: { delivered: 0, retried: 0, failed: 0 },
    lake: { records: 0, flushes: 0, last_flush_at: null },
    store_failures: 0,
  };
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), "fraud-ready-"));
  dirs.push(dir);
  const platform = open(dir);
  await Demo.seedDemo(platform, new Date());
  const operations = new OperationsStore(platform.db);
  const api = createApi({
    scoring: platform.scoring,
    decisions: platform.decisions,
    apiKeys: platform.apiKeys,
    readiness: localReadiness(platform, operations, 60),
    logger: { error: () => undefined, warn: () => undefined },
  });
  const ready = async () => {
    const res = await api.request("/api/ready");
    return { status: res.status, body: (await res.json()) as unknown };
  };
  return { dir, platform, operations, ready };
}

describe("GET /api/ready", () => {
  it("is ready when the store writes, the worker beats and nothing waits for it", async () => {
    const { operations, ready } = await setup();
    operations.beat(heartbeat(new Date()));
    expect(await ready()).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("answers WORKER_NOT_RUNNING without a heartbeat, or with one too old", async () => {
    const { operations, ready } = await setup();
    expect(await ready()).toEqual({ status: 503, body: { status: "not_ready", reason: "WORKER_NOT_RUNNING" } });
    operations.beat(heartbeat(new Date(Date.now() - WORKER_STALE_AFTER_MS - 1_000)));
    expect(await ready()).toEqual({ status: 503, body: { status: "not_ready", reason: "WORKER_NOT_RUNNING" } });
  });

  it("answers OUTBOX_BEHIND while a decision has waited for the worker past the bound, and is ready once it is processed", async () => {
    const { dir, platform, operations, ready } = await setup();
    // A decision recorded two minutes ago that no consumer has processed.
    const earlier = open(dir, () => new Date(Date.now() - 120_000));
    const result = await earlier.scoring.submit({ user_id: "user_001", amount: 100, merchant_id: "M1" });
    expect(result.status).toBe("recorded");
    operations.beat(heartbeat(new Date()));
    expect(await ready()).toEqual({ status: 503, body: { status: "not_ready", reason: "OUTBOX_BEHIND" } });

    const lake = await LocalLakeWriter.open(platform.lakeDir);
    await new OutboxWorker(platform.db, lake).drain();
    lake.close();
    expect(await ready()).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("answers STORE_NOT_WRITABLE when the store refuses writes, before anything else", async () => {
    const { platform, ready } = await setup();
    platform.db.pragma("query_only = ON");
    expect(await ready()).toEqual({ status: 503, body: { status: "not_ready", reason: "STORE_NOT_WRITABLE" } });
    platform.db.pragma("query_only = OFF");
    expect((await ready()).body).toEqual({ status: "not_ready", reason: "WORKER_NOT_RUNNING" });
  });
});
