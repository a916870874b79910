/**
 * The load generator, run as its own process: sends `count` transactions at an even `rate` (open
 * model: request i is due at start + i/rate whatever happened to the others) over keep-alive
 * HTTP/1.1 connections, and records every response's latency measured from its due time, so a
 * server that falls behind is charged for the queueing too. Writes its figures and the
 * acknowledged transaction ids as JSON to `out`.
 *
 * It shares two cores with the server it measures, so it is lean: plain TCP sockets, each request
 * written with one system call, answers read by a minimal HTTP/1.1 parser (status line,
 * Content-Length or chunked body), one request at a time per connection (no pipelining), a new
 * connection opened whenever every open one is waiting. Node's HTTP client cost about as much CPU
 * per request as the server's whole decision, and its garbage-collection pauses were counted as
 * the server's latency.
 *
 * usage: node --import tsx bench/loadgen.ts '<json: {url, apiKey, rate, count, runId, out, seed, warmupCount}>'
 */
import { Demo } from "@fraud/core";
import { writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";

export interface LoadgenArgs {
  url: string;
  apiKey: string;
  rate: number;
  count: number;
  runId: string;
  out: string;
  seed?: number;
  /** Connections open at most (default 1,024); requests due while all are busy wait for one. */
  maxConnections?: number;
  /**
   * Requests sent first, at the same rate and over the same connections, right before the `count`
   * counted ones (default 0). Their answers are checked and acknowledged like the others, but their
   * latencies are reported apart (`warmup`), so the figures describe the server at that rate rather
   * than its first second after idling, with a generator that has just started.
   */
  warmupCount?: number;
}

/** The warm-up requests (LoadgenArgs.warmupCount): reported apart from the counted ones. */
export interface WarmupFigures {
  sent: number;
  by_status: Record<string, number>;
  errors: number;
  p99_ms: number;
  max_ms: number;
}

export interface LoadgenResult {
  rate_per_s: number;
  sent: number;
  achieved_rate_per_s: number;
  by_status: Record<string, number>;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  /** p99 of the requests due in each second of the run, in order (see p99PerSecond). */
  p99_per_second_ms: number[];
  /** How late the generator itself issued requests (its timer and event-loop lag): its own share of the latency. */
  send_lag_p99_ms: number;
  /** Connections it opened. */
  connections: number;
  /** The generator's own CPU per request (user + system, from its first send to its last answer). */
  cpu_ms_per_request: number;
  decisions: Record<string, number>;
  /** Acknowledged (HTTP 200) transaction ids, the warm-up's included: all of them must be in the decision log and the lake. */
  acknowledged: string[];
  /** Present when the run had a warm-up. */
  warmup?: WarmupFigures;
}

/**
 * Everyday traffic for the demo ruleset (whose amounts are in the lab's units): 100,000 customers,
 * so that at 1,000/s a customer pays about once a minute at most and most decisions are APPROVED,
 * as in production.
 */
const CUSTOMERS = 100_000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number) => Number(x.toFixed(3));

/**
 * p99 latency of the requests due in each second of a run (request i is due at i / rate s): shows
 * whether a run over a latency goal was over it throughout (the server short of capacity) or in a
 * few seconds (a burst of other work, a slower moment of the machine).
 */
export function p99PerSecond(latencies: Float64Array, rate: number): number[] {
  const perSecond = Math.max(1, Math.round(rate));
  const seconds: number[] = [];
  for (let from = 0; from < latencies.length; from += perSecond) {
    seconds.push(round(percentile(latencies.slice(from, from + perSecond).sort(), 99)));
  }
  return seconds;
}

/** One complete HTTP/1.1 response read from a connection. */
export interface HttpAnswer {
  status: number;
  body: string;
  close: boolean;
}

const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * Reads HTTP/1.1 responses from the bytes of one connection, as they arrive in any pieces. Knows
 * what a JSON API's answers need: a status line, headers, and a body framed by Content-Length or
 * chunked transfer encoding. Returns each complete answer to `onAnswer`; throws on a malformed one.
 */
export class ResponseReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onAnswer: (answer: HttpAnswer) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const answer = this.next();
      if (!answer) return;
      this.onAnswer(answer);
    }
  }

  private next(): HttpAnswer | undefined {
    const headEnd = this.buffered.indexOf(HEADER_END);
    if (headEnd < 0) return undefined;
    const head = this.buffered.toString("latin1", 0, headEnd);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(head.slice(0, 40))}`);
    const lengthHeader = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    const close = /\r\nconnection:\s*close/i.test(head);
    const bodyStart = headEnd + 4;
    let body: Buffer;
    let end: number;
    if (lengthHeader) {
      end = bodyStart + Number(lengthHeader[1]);
      if (this.buffered.length < end) return undefined;
      body = this.buffered.subarray(bodyStart, end);
    } else if (chunked) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = this.buffered.indexOf("\r\n", at);
        if (lineEnd < 0) return undefined;
        const size = Number.parseInt(this.buffered.toString("latin1", at, lineEnd), 16);
        if (Number.isNaN(size)) throw new Error("malformed chunk size");
        const dataEnd = lineEnd + 2 + size;
        if (this.buffered.length < dataEnd + 2) return undefined;
        if (size === 0) {
          // Trailers are not used by the API: the chunked body ends with an empty line.
          end = dataEnd + 2;
          break;
        }
        parts.push(this.buffered.subarray(lineEnd + 2, dataEnd));
        at = dataEnd + 2;
      }
      body = Buffer.concat(parts);
    } else {
      throw new Error("response without Content-Length or chunked encoding");
    }
    const answer = { status: Number(status[1]), body: body.toString("utf8"), close };
    this.buffered = this.buffered.subarray(end);
    return answer;
  }
}

/** The API's answer starts with these two fields, in this order (toDecisionBody). */
const DECISION_HEAD = /^\{"transaction_id":"([^"\\]*)","decision":"([A-Z]+)"/;

/**
 * The transaction id and outcome of a 200 answer. Read from the head of the JSON when it has the
 * API's usual shape (0.05 µs, against 1.4 µs to parse a whole answer with its rules and their
 * values, measured in a loop); parsed in full otherwise (an id with escapes, another order).
 */
export function decisionOf(body: string): { transaction_id: string; decision: string } {
  const head = DECISION_HEAD.exec(body);
  if (head) return { transaction_id: head[1]!, decision: head[2]! };
  return JSON.parse(body) as { transaction_id: string; decision: string };
}

interface Connection {
  socket: Socket;
  reader: ResponseReader;
  /** The request it waits for: its index and due time. */
  inFlight: { i: number; due: number } | undefined;
  open: boolean;
}

export async function runLoad(args: LoadgenArgs): Promise<LoadgenResult> {
  const target = new URL("/api/transactions", args.url);
  const host = target.hostname;
  const port = Number(target.port || 80);
  const head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${args.apiKey}\r\nContent-Length: `;
  const maxConnections = args.maxConnections ?? 1_024;
  const rnd = Demo.seededRandom(args.seed ?? 42);
  const warm = Math.max(0, Math.floor(args.warmupCount ?? 0));
  const total = warm + args.count;
  // Indexed by request: the warm-up's first, then the counted ones.
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  const byStatus: Record<string, number> = {};
  const warmupByStatus: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  const acknowledged: string[] = [];
  const idle: Connection[] = [];
  const waiting: Array<{ i: number; due: number }> = [];
  let opened = 0;
  let live = 0;
  let answered = 0;
  let allAnswered: () => void = () => {};
  const finished = new Promise<void>((r) => (allAnswered = r));

  const done = (i: number, due: number, status: string) => {
    latencies[i] = performance.now() - due;
    const counts = i < warm ? warmupByStatus : byStatus;
    counts[status] = (counts[status] ?? 0) + 1;
    if (++answered === total) allAnswered();
  };

  const release = (conn: Connection) => {
    const next = waiting.shift();
    if (next) send(conn, next.i, next.due);
    else idle.push(conn);
  };

  const closed = (conn: Connection) => {
    conn.open = false;
    live -= 1;
  };

  const fail = (conn: Connection, reason: string) => {
    if (!conn.open) return;
    closed(conn);
    conn.socket.destroy();
    const idleAt = idle.indexOf(conn);
    if (idleAt >= 0) idle.splice(idleAt, 1);
    const request = conn.inFlight;
    conn.inFlight = undefined;
    if (request) done(request.i, request.due, reason);
    const next = waiting.shift();
    if (next) dispatch(next.i, next.due);
  };

  const openConnection = (): Connection => {
    opened += 1;
    live += 1;
    const socket = connect({ host, port, noDelay: true });
    const conn: Connection = {
      socket,
      open: true,
      inFlight: undefined,
      reader: new ResponseReader((answer) => {
        const request = conn.inFlight;
        if (!request) return fail(conn, "error unexpected response");
        conn.inFlight = undefined;
        if (answer.status === 200) {
          const decided = decisionOf(answer.body);
          acknowledged.push(decided.transaction_id);
          if (request.i >= warm) decisions[decided.decision] = (decisions[decided.decision] ?? 0) + 1;
        }
        done(request.i, request.due, String(answer.status));
        if (!answer.close) return release(conn);
        closed(conn);
        socket.end();
        const next = waiting.shift();
        if (next) dispatch(next.i, next.due);
      }),
    };
    socket.on("data", (chunk: Buffer) => {
      try {
        conn.reader.push(chunk);
      } catch (e) {
        fail(conn, `error ${(e as Error).message}`);
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => fail(conn, `error ${e.code ?? e.message}`));
    socket.on("close", () => fail(conn, "error connection closed"));
    return conn;
  };

  const send = (conn: Connection, i: number, due: number) => {
    conn.inFlight = { i, due };
    const body = JSON.stringify(Demo.syntheticTransaction(i, rnd, { runId: args.runId, customers: CUSTOMERS, units: "lab" }));
    conn.socket.write(`${head}${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };

  const dispatch = (i: number, due: number) => {
    const conn = idle.pop() ?? (live < maxConnections ? openConnection() : undefined);
    if (conn) send(conn, i, due);
    else waiting.push({ i, due });
  };

  let lastSentAt = 0;
  const cpuAtStart = process.cpuUsage();
  const interval = 1000 / args.rate;
  const start = performance.now() + 20;
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      const due = start + i * interval;
      lastSentAt = performance.now();
      lags[i] = lastSentAt - due;
      dispatch(i, due);
      i++;
    }
    if (i >= total) break;
    const wait = start + i * interval - performance.now();
    // Sleep, never spin: on two cores a generator that polls with setImmediate takes a whole core
    // from the server it measures. setTimeout wakes about 1 ms late at worst; requests due
    // meanwhile go out together, and the lateness is counted in their latency (and shown in
    // send_lag_p99_ms).
    await new Promise<void>((r) => setTimeout(r, Math.max(0, wait)));
  }
  await finished;
  const cpu = process.cpuUsage(cpuAtStart);
  for (const conn of idle) {
    closed(conn);
    conn.socket.destroy();
  }
  const counted = latencies.subarray(warm);
  const sorted = counted.slice().sort();
  const sortedLags = lags.subarray(warm).slice().sort();
  const ok = byStatus["200"] ?? 0;
  const firstCountedDue = start + warm * interval;
  const warmSorted = latencies.subarray(0, warm).slice().sort();
  return {
    rate_per_s: args.rate,
    sent: args.count,
    achieved_rate_per_s: args.count > 1 ? Math.round((args.count - 1) / ((lastSentAt - firstCountedDue) / 1000)) : args.rate,
    by_status: byStatus,
    errors: args.count - ok,
    p50_ms: round(percentile(sorted, 50)),
    p90_ms: round(percentile(sorted, 90)),
    p99_ms: round(percentile(sorted, 99)),
    p999_ms: round(percentile(sorted, 99.9)),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
    p99_per_second_ms: p99PerSecond(counted, args.rate),
    send_lag_p99_ms: round(percentile(sortedLags, 99)),
    connections: opened,
    cpu_ms_per_request: round((cpu.user + cpu.system) / 1000 / Math.max(1, total)),
    decisions,
    acknowledged,
    ...(warm > 0
      ? {
          warmup: {
            sent: warm,
            by_status: warmupByStatus,
            errors: warm - (warmupByStatus["200"] ?? 0),
            p99_ms: round(percentile(warmSorted, 99)),
            max_ms: round(warmSorted[warmSorted.length - 1]!),
          },
        }
      : {}),
  };
}

if (process.argv[1]?.endsWith("loadgen.ts")) {
  const args = JSON.parse(process.argv[2] ?? "{}") as LoadgenArgs;
  const result = await runLoad(args);
  writeFileSync(args.out, JSON.stringify(result));
}
