import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTracing } from "../src/telemetry/tracing.ts";
import { freePort, ROOT, startProcess, waitForHealth, type Proc } from "./processes.ts";

/*
 * Traces as a collector receives them: the server and the worker export OTLP/JSON to a receiver
 * in this test, as they would to an OpenTelemetry Collector at OTEL_EXPORTER_OTLP_ENDPOINT.
 */

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
}

const KEY = "tracing-test-key-0123456789";
const received: ReceivedSpan[] = [];
let collector: Server;
let dir: string;
let base: string;
let server: Proc;
let worker: Proc;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces" && req.headers["content-type"]?.startsWith("application/json")) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
          for (const ss of rs.scopeSpans) for (const span of ss.spans) received.push({ ...span, service });
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((ok) => collector.listen(0, "127.0.0.1", ok));
  dir = mkdtempSync(join(tmpdir(), "fraud-tracing-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const settings = {
    FRAUD_DATA_DIR: dir,
    PORT: String(port),
    FRAUD_API_KEY: KEY,
    FRAUD_ADMIN_PASSWORD: "tracing-admin-pw",
    FRAUD_DASHBOARD: "off",
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
  };
  server = startProcess("server.ts", settings);
  try {
    await waitForHealth(base, 90_000);
  } catch (e) {
    server.child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${server.output()}`);
  }
  worker = startProcess("worker.ts", settings);
}, 120_000);

afterAll(async () => {
  for (const p of [worker, server]) {
    p?.child.kill("SIGTERM");
    await p?.exited;
  }
  await new Promise((r) => collector?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function spansOf(traceId: string, names: string[]): Promise<ReceivedSpan[]> {
  const end = Date.now() + 30_000;
  for (;;) {
    const spans = received.filter((s) => s.traceId === traceId);
    if (names.every((n) => spans.some((s) => s.name === n))) return spans;
    if (Date.now() > end) throw new Error(`spans of ${traceId}: ${JSON.stringify(spans.map((s) => s.name))}\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const attribute = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? Number(v.intValue ?? v.doubleValue)) : undefined;
};

describe("traces of a decision", () => {
  it("exports the request's span, the decision's under it, and scoring and commit under the decision, in the caller's trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const res = await fetch(`${base}/api/transactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ transaction_id: "traced-1", user_id: "traced_user", amount: 42, merchant_id: "M1" }),
    });
    expect(res.status).toBe(200);
    const { decision } = (await res.json()) as { decision: string };

    const spans = await spansOf(traceId, ["POST /api/transactions", "decision", "decision.score", "decision.commit"]);
    const byName = (n: string) => spans.find((s) => s.name === n)!;
    const http = byName("POST /api/transactions");
    const scored = byName("decision");
    expect(http.parentSpanId).toBe(callerSpan);
    expect(http.kind).toBe(2); // SERVER
    expect(attribute(http, "http.route")).toBe("/api/transactions");
    expect(attribute(http, "http.response.status_code")).toBe(200);
    expect(attribute(http, "fraud.decision")).toBe(decision);
    expect(scored.parentSpanId).toBe(http.spanId);
    expect(byName("decision.score").parentSpanId).toBe(scored.spanId);
    expect(byName("decision.commit").parentSpanId).toBe(scored.spanId);
    expect(attribute(byName("decision.commit"), "fraud.commit.decisions")).toBeGreaterThanOrEqual(1);
    for (const s of spans) expect(s.service).toBe("fraud-server");
    // Each child lies within its parent, and the score comes before the commit.
    const t = (s: OtlpSpan) => [BigInt(s.startTimeUnixNano), BigInt(s.endTimeUnixNano)] as const;
    const [hs, he] = t(http);
    const [ds, de] = t(scored);
    expect(ds >= hs && de <= he).toBe(true);
    expect(t(byName("decision.score"))[1] <= t(byName("decision.commit"))[0]).toBe(true);
  });

  it("starts a new trace for a request without a traceparent, or with a malformed one", async () => {
    const res = await fetch(`${base}/api/transactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", traceparent: "00-not-a-trace-01", "x-request-id": "untraced-caller-1" },
      body: JSON.stringify({ transaction_id: "traced-2", user_id: "traced_user", amount: 43, merchant_id: "M1" }),
    });
    expect(res.status).toBe(200);
    const line = await waitFor(() =>
      server
        .output()
        .split("\n")
        .find((l) => l.includes('"request_id":"untraced-caller-1"')),
    );
    const traceId = (JSON.parse(line) as { trace_id: string }).trace_id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await spansOf(traceId, ["POST /api/transactions", "decision"]);
    expect(spans.find((s) => s.name === "POST /api/transactions")!.parentSpanId ?? "").toBe("");
  });

  it("exports the worker's steps, once they did something", async () => {
    const end = Date.now() + 30_000;
    while (!received.some((s) => s.service === "fraud-worker" && s.name === "worker.alerts_and_metrics") && Date.now() < end)
      await new Promise((r) => setTimeout(r, 200));
    const step = received.find((s) => s.service === "fraud-worker" && s.name === "worker.alerts_and_metrics");
    expect(step).toBeDefined();
    expect(attribute(step!, "fraud.decisions")).toBeGreaterThanOrEqual(1);
  });
});

async function waitFor(find: () => string | undefined): Promise<string> {
  const end = Date.now() + 10_000;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > end) throw new Error("not found");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("without an OTLP endpoint", () => {
  it("loads no tracing, and only the module loadTracing imports on demand names OpenTelemetry", async () => {
    expect(await loadTracing({ endpoint: undefined, ratio: 1, service: "fraud-server" })).toBeUndefined();
    const sources = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(d, e.name)) : e.name.endsWith(".ts") ? [join(d, e.name)] : []));
    const importers = ["packages/server/src", "packages/api/src", "packages/core/src"]
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => /from "@opentelemetry\//.test(readFileSync(f, "utf8")))
      .map((f) => f.slice(ROOT.length));
    expect(importers).toEqual(["packages/server/src/telemetry/otel.ts"]);
  });
});
