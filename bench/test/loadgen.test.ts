import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { decisionOf, p99PerSecond, ResponseReader, runLoad, type HttpAnswer } from "../loadgen.ts";

function read(...chunks: string[]): HttpAnswer[] {
  const answers: HttpAnswer[] = [];
  const reader = new ResponseReader((a) => answers.push(a));
  for (const c of chunks) reader.push(Buffer.from(c));
  return answers;
}

describe("ResponseReader", () => {
  const one = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"decision":"é"}';

  it("reads an answer framed by Content-Length, in whatever pieces it arrives", () => {
    // "é" is two bytes: the length counts bytes (17), not characters (16).
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n{"decision":"é"}');
    const answers: HttpAnswer[] = [];
    const reader = new ResponseReader((a) => answers.push(a));
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    expect(answers).toEqual([{ status: 200, body: '{"decision":"é"}', close: false }]);
  });

  it("reads two answers that arrive in one chunk, and says when the server closes", () => {
    const first = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}";
    const second = "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    expect(read(first + second)).toEqual([
      { status: 503, body: "{}", close: false },
      { status: 413, body: "", close: true },
    ]);
  });

  it("reads a chunked body", () => {
    expect(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n', "3\r\n:1}\r\n0\r\n\r\n")).toEqual([
      { status: 200, body: '{"a":1}', close: false },
    ]);
  });

  it("waits for the rest of a body before answering", () => {
    expect(read(one.slice(0, -3))).toEqual([]);
  });

  it("refuses what is not HTTP, or a body it cannot frame", () => {
    expect(() => read("SSH-2.0-OpenSSH\r\n\r\n")).toThrow(/not an HTTP/);
    expect(() => read("HTTP/1.1 200 OK\r\n\r\n")).toThrow(/Content-Length/);
  });
});

describe("runLoad", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("sends every transaction once, paced, and counts answers, refusals and broken connections", async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        expect(req.headers.authorization).toBe("Bearer key");
        const tx = JSON.parse(body) as { transaction_id: string };
        seen.push(tx.transaction_id);
        const n = Number(tx.transaction_id.split("-")[1]);
        if (n % 10 === 3) return res.writeHead(503, { "content-type": "application/json" }).end('{"error":"busy"}');
        if (n % 10 === 5) return res.socket?.destroy();
        const close = n % 10 === 7 ? { connection: "close" } : {};
        res
          .writeHead(200, { "content-type": "application/json", ...close })
          .end(JSON.stringify({ transaction_id: tx.transaction_id, decision: n % 2 ? "REVIEW" : "APPROVED" }));
      });
    });
    const started = performance.now();
    const result = await runLoad({ url, apiKey: "key", rate: 500, count: 200, runId: "t", out: "", seed: 3 });
    const took = performance.now() - started;

    expect(new Set(seen).size).toBe(200);
    expect(took).toBeGreaterThanOrEqual(390); // 200 at 500/s: the last one is due after 398 ms
    expect(result.by_status).toEqual({ "200": 160, "503": 20, "error connection closed": 20 });
    expect(result.errors).toBe(40);
    expect(result.acknowledged).toHaveLength(160);
    expect(result.acknowledged.every((id) => [0, 1, 2, 4, 6, 7, 8, 9].includes(Number(id.split("-")[1]) % 10))).toBe(true);
    expect(result.decisions).toEqual({ APPROVED: 100, REVIEW: 60 });
    expect(result.p50_ms).toBeGreaterThan(0);
    expect(result.max_ms).toBeGreaterThanOrEqual(result.p99_ms);
  });

  it("queues what is due while every connection is busy, and charges the wait to latency", async () => {
    const url = await serve((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.writeHead(200).end('{"transaction_id":"x","decision":"APPROVED"}'), 50));
    });
    const result = await runLoad({ url, apiKey: "key", rate: 400, count: 40, runId: "q", out: "", maxConnections: 2 });
    expect(result.connections).toBe(2);
    expect(result.cpu_ms_per_request).toBeGreaterThan(0);
    expect(result.by_status).toEqual({ "200": 40 });
    // Two connections answering every 50 ms serve 40 requests in about a second: the last waited ~900 ms.
    expect(result.max_ms).toBeGreaterThan(700);
    // 40 requests at 400/s are all due within the first second.
    expect(result.p99_per_second_ms).toEqual([result.p99_ms]);
  });

  it("sends the warm-up first at the same rate, acknowledges it, and keeps its latencies and errors out of the figures", async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const { transaction_id } = JSON.parse(body) as { transaction_id: string };
        seen.push(transaction_id);
        const n = Number(transaction_id.split("-")[1]);
        // The warm-up (ids 0-99) answers slowly and refuses one; the counted requests answer at once.
        const answer = () =>
          n === 7
            ? res.writeHead(503).end('{"error":"busy"}')
            : res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ transaction_id, decision: "APPROVED" }));
        if (n < 100) setTimeout(answer, 120);
        else answer();
      });
    });
    const started = performance.now();
    const result = await runLoad({ url, apiKey: "key", rate: 500, count: 100, warmupCount: 100, runId: "w", out: "" });
    const took = performance.now() - started;

    // 200 requests at 500/s, the warm-up's first: the last one is due after 398 ms.
    expect(took).toBeGreaterThanOrEqual(390);
    expect(new Set(seen).size).toBe(200);
    expect([seen[0], seen.at(-1)]).toEqual(["w-0", "w-199"]);
    // Counted: only the fast answers.
    expect(result.sent).toBe(100);
    expect(result.by_status).toEqual({ "200": 100 });
    expect(result.errors).toBe(0);
    expect(result.max_ms).toBeLessThan(100);
    expect(result.decisions).toEqual({ APPROVED: 100 });
    // The warm-up, apart: its slow answers and its refusal.
    expect(result.warmup).toMatchObject({ sent: 100, by_status: { "200": 99, "503": 1 }, errors: 1 });
    expect(result.warmup!.p99_ms).toBeGreaterThanOrEqual(120);
    // Every 200 is acknowledged, the warm-up's too: the bench looks all of them up afterwards.
    expect(result.acknowledged).toHaveLength(199);
  });

  it("reports no warm-up when none was asked for", async () => {
    const url = await serve((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200).end('{"transaction_id":"x","decision":"APPROVED"}'));
    });
    const result = await runLoad({ url, apiKey: "key", rate: 500, count: 10, runId: "n", out: "" });
    expect(result.warmup).toBeUndefined();
    expect(result.sent).toBe(10);
  });
});

describe("p99PerSecond", () => {
  it("gives the p99 of the requests due in each second, so a burst shows apart from a server short of capacity", () => {
    // 3.5 s at 100/s: 1 ms each, except a burst of 20 slow answers in the third second; the last half second has 50.
    const latencies = Float64Array.from({ length: 350 }, (_, i) => (i >= 200 && i < 220 ? 500 : 1));
    expect(p99PerSecond(latencies, 100)).toEqual([1, 1, 500, 1]);
    // The p99 of the whole run is over 50 ms, though three seconds of four were not.
    expect(p99PerSecond(latencies, 350)).toEqual([500]);
    expect(p99PerSecond(new Float64Array(0), 100)).toEqual([]);
  });
});

describe("decisionOf", () => {
  it("reads the id and outcome from the head of the API's answer, and parses any other shape in full", () => {
    const usual = {
      transaction_id: "run-1-7",
      decision: "REVIEW",
      score: 55,
      rules: [{ id: "R", name: "n", score: 1, values: { decision: "BLOCKED" } }],
      list_match: null,
    };
    expect(decisionOf(JSON.stringify(usual))).toEqual({ transaction_id: "run-1-7", decision: "REVIEW" });
    expect(decisionOf(JSON.stringify({ transaction_id: 'with "quotes"', decision: "APPROVED" }))).toEqual({
      transaction_id: 'with "quotes"',
      decision: "APPROVED",
    });
    expect(decisionOf(JSON.stringify({ decision: "BLOCKED", transaction_id: "t-2" }))).toEqual({ decision: "BLOCKED", transaction_id: "t-2" });
    expect(() => decisionOf('{"transaction_id":"t-3"')).toThrow();
  });
});
