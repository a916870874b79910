import { Settings } from "@fraud/core";
import { openLocalPlatform } from "@fraud/core/local";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { freePort, ROOT, startProcess, waitForHealth, type Proc } from "./processes.ts";

/*
 * The server and the worker as `npm start` runs them (API only), with a webhook receiver: what an
 * operator's log collector, Prometheus and Grafana get from them.
 */

const KEY = "observability-test-key-0123456789";
const INGEST_ONLY_KEY = "ingest-only-key-0123456789";
let dir: string;
let base: string;
let server: Proc;
let worker: Proc;
let hooks: Server;
let delivered = 0;

beforeAll(async () => {
  hooks = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      delivered += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => hooks.listen(0, "127.0.0.1", ok));
  dir = mkdtempSync(join(tmpdir(), "fraud-observability-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const settings = {
    FRAUD_DATA_DIR: dir,
    PORT: String(port),
    FRAUD_API_KEY: KEY,
    FRAUD_ADMIN_PASSWORD: "observability-admin-pw",
    FRAUD_DASHBOARD: "off",
    FRAUD_LAKE_FLUSH_SECONDS: "1",
    FRAUD_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`,
  };
  server = startProcess("server.ts", settings);
  try {
    await waitForHealth(base, 90_000);
  } catch (e) {
    server.child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${server.output()}`);
  }
  worker = startProcess("worker.ts", settings);
  const platform = openLocalPlatform({ dataDir: dir, settings: Settings.defaultSettings });
  await platform.apiKeys.create("ingest only", ["ingest"], { id: "test" }, INGEST_ONLY_KEY);
  platform.close();
}, 120_000);

afterAll(async () => {
  for (const p of [worker, server]) {
    p?.child.kill("SIGTERM");
    await p?.exited;
  }
  await new Promise((r) => hooks?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/transactions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** Sample name -> value, for every sample of a Prometheus text exposition (labels kept in the key). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const sampleNames = (text: string) => new Set([...samples(text).keys()].map((k) => k.replace(/\{.*$/, "")));

async function scrape(): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** Log events the server wrote (JSON lines on its standard output). */
function events(p: Proc): Array<Record<string, unknown>> {
  return p
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function until<T>(what: string, read: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("request logs", () => {
  it("logs each request once, as JSON, with its request id, route pattern, status, latency and decision, and never the key", async () => {
    const res = await post({ transaction_id: "obs-tx-1", user_id: "obs_user", amount: 125, merchant_id: "M1" }, { "x-request-id": "client-req-42" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("client-req-42");
    const decision = ((await res.json()) as { decision: string }).decision;
    // An id with spaces (or too long) is not taken: the server makes one.
    const read = await fetch(`${base}/api/transactions/obs-tx-1`, { headers: { authorization: `Bearer ${KEY}`, "x-request-id": "not a sane id" } });
    expect(read.status).toBe(200);
    const generated = read.headers.get("x-request-id")!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const requests = await until(
      "request lines",
      () => events(server).filter((e) => e.message === "request" && (e.request_id === "client-req-42" || e.request_id === generated)),
      (l) => l.length === 2,
    );
    expect(requests[0]).toMatchObject({
      level: "INFO",
      service: "server",
      request_id: "client-req-42",
      method: "POST",
      route: "/api/transactions",
      status: 200,
      decision,
    });
    expect(requests[1]).toMatchObject({ request_id: generated, method: "GET", route: "/api/transactions/:id", status: 200 });
    expect(requests[1]).not.toHaveProperty("decision");
    for (const r of requests) expect(typeof r.latency_ms).toBe("number");
    expect(server.output()).not.toContain(KEY);
    expect(server.output()).not.toContain('obs-tx-1"}');
  });
});

describe("GET /metrics", () => {
  it("is refused without an API key (401) and with a key that has no metrics scope (403)", async () => {
    const anonymous = await fetch(`${base}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("fraud_");
    const ingestOnly = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${INGEST_ONLY_KEY}` } });
    expect(ingestOnly.status).toBe(403);
    expect(await ingestOnly.json()).toEqual({ error: { code: "FORBIDDEN", message: "this API key has no 'metrics' scope" } });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer wrong-key-0123456789" } })).status).toBe(401);
  });

  it("reports the scoring thread's decisions, HTTP requests, the outbox, and the worker's heartbeat and webhook deliveries", async () => {
    const before = samples(await scrape());
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post({ transaction_id: `obs-m-${i}`, user_id: "obs_metrics", amount: 50 + i, merchant_id: "M1" });
      outcomes.push(((await res.json()) as { decision: string }).decision);
    }
    // No ruleset is published on this data directory: each decision takes the fallback (REVIEW), which raises an alert.
    expect(new Set(outcomes)).toEqual(new Set(["REVIEW"]));
    const after = await until(
      "webhook deliveries in /metrics",
      async () => samples(await scrape()),
      (s) => (s.get('fraud_webhook_deliveries_total{result="delivered"}') ?? 0) >= (before.get('fraud_webhook_deliveries_total{result="delivered"}') ?? 0) + 5,
    );
    const grew = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(grew('fraud_decisions_total{outcome="REVIEW"}')).toBe(5);
    expect(grew("fraud_decision_fallbacks_total")).toBe(5);
    expect(grew("fraud_decision_latency_seconds_count")).toBe(5);
    expect(grew('fraud_decision_latency_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(grew('fraud_http_requests_total{route="/api/transactions",method="POST",status="200"}')).toBe(5);
    expect(grew('fraud_http_request_duration_seconds_count{route="/api/transactions",method="POST"}')).toBe(5);
    expect(after.get("fraud_worker_up")).toBe(1);
    expect(delivered).toBeGreaterThanOrEqual(5);
    expect(after.get("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after.get("fraud_worker_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after.has('fraud_outbox_depth{consumer="lake"}')).toBe(true);
    // The lake flushes every second here: its backlog drains, and the flush is counted.
    const drained = await until(
      "the lake's backlog",
      async () => samples(await scrape()),
      (s) => s.get('fraud_outbox_depth{consumer="lake"}') === 0 && (s.get("fraud_lake_records_total") ?? 0) >= 5,
    );
    expect(drained.get("fraud_lake_flush_lag_seconds")).toBe(0);
    // A path with an id is counted under its pattern, never as itself.
    expect([...after.keys()].some((k) => k.includes("obs-tx-1"))).toBe(false);
  });

  it("exposes every metric that the Grafana dashboard and the alerting rules read", async () => {
    const exposed = sampleNames(await scrape());
    const dashboard = JSON.parse(readFileSync(join(ROOT, "deploy/grafana/fraud-dashboard.json"), "utf8")) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const rules = parseYaml(readFileSync(join(ROOT, "deploy/prometheus/alerts.yml"), "utf8")) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const expressions = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr))];
    const referenced = new Set(expressions.flatMap((e) => e.match(/\b(?:fraud|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(referenced.size).toBeGreaterThan(15);
    expect([...referenced].filter((name) => !exposed.has(name))).toEqual([]);
    expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(
      expect.arrayContaining(["FraudOutboxBehind", "FraudApiErrorRate", "FraudDecisionLatencyP99"]),
    );
  });
});

describe("GET /api/ready", () => {
  it("is ready while the worker runs and keeps up", async () => {
    const ready = await until(
      "readiness",
      async () => (await fetch(`${base}/api/ready`)).status,
      (s) => s === 200,
    );
    expect(ready).toBe(200);
  });
});
