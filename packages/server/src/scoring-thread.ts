/**
 * Scoring in a thread of its own. The server's event loop reads and authenticates requests and
 * writes the answers; this thread parses, validates, scores and records each transaction (SQLite's
 * group commits included) and builds the API's answer to it, JSON and all. On
 * two cores the server's one JavaScript thread was the limit (two thirds busy at 2,500
 * transactions a second, a third of that in SQLite): split in two, each half has a core's room.
 *
 * The thread opens the same embedded platform on its own SQLite connection, so a decision is
 * recorded exactly as before (one transaction with the profile and the outbox row), and answered
 * only once committed. Everything else the server does stays on its own connection.
 */
import { DecisionCounters, Errors, type LogLevel, Ruleset } from "@fraud/core";
import { openLocalPlatform, storeHealth, type RuntimePlatformOptions } from "@fraud/core/local";
import { createLogger, routeConsole } from "@fraud/core/logger";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { answerTransaction, type ApiAnswer, type JsonAnswer, type TransactionAnswerer } from "@fraud/api/ingest";
import { packFrames, unpackFrames } from "./frames.ts";
import { apiLogger } from "./telemetry/log.ts";
import { loadTracing, type TracingSettings } from "./telemetry/tracing.ts";

/** What the thread needs to open the platform (the server's own options): plain data, copied to it. */
export type ScoringThreadOptions = RuntimePlatformOptions;

/** How the thread logs, counts and traces. */
export interface ScoringThreadTelemetry {
  logLevel: LogLevel;
  /** The DecisionCounters' memory (a SharedArrayBuffer): the thread counts, the server's /metrics reads. */
  counters: ArrayBufferLike;
  tracing: TracingSettings;
}
type ThreadData = { scoringThread: ScoringThreadOptions; telemetry: ScoringThreadTelemetry };

/** Sent by the thread once its platform is open. */
const READY = "ready";
/** Sent alone, after the last request: the thread closes its connection and ends. */
const CLOSE = "close";
/** A request's frame code; an answer's is its HTTP status, plus OUTCOME_CODE times its decision's rank (1-3) when it holds one. */
const REQUEST = 0;
/** A request whose body starts with the traceparent (TRACEPARENT_BYTES) of the span it belongs to. */
const TRACED_REQUEST = 1;
const TRACEPARENT_BYTES = 55;
const OUTCOME_CODE = 1000;
/** Frame ids are u32: they wrap around long before two requests in flight could share one. */
const ID_LIMIT = 2 ** 32;

type Outgoing = { id: number; code: number; body: Uint8Array | string };

/**
 * The server's side: a transaction's body, as received, answered by the thread as the API would
 * (`answerTransaction`), with the answer's JSON ready to send.
 */
export class ScoringThread implements TransactionAnswerer {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (a: JsonAnswer) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private readonly started: Promise<void>;
  private stopping = false;
  private ended = false;
  private readonly outgoing: Batcher<Outgoing>;
  private readonly traced: boolean;

  /** `onCrash` is told when the thread stops by itself (a bug): the server cannot score without it. */
  constructor(options: ScoringThreadOptions, onCrash: (error: Error) => void, telemetry: Partial<ScoringThreadTelemetry> = {}) {
    const threadTelemetry: ScoringThreadTelemetry = {
      logLevel: telemetry.logLevel ?? "info",
      counters: telemetry.counters ?? new DecisionCounters().buffer,
      tracing: telemetry.tracing ?? { endpoint: undefined, ratio: 1, service: "fraud-server" },
    };
    this.traced = threadTelemetry.tracing.endpoint !== undefined;
    // The thread runs this same TypeScript file: it registers the loader the server runs under first.
    const tsx = import.meta.resolve("tsx/esm/api");
    const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    this.worker = new Worker(boot, { eval: true, workerData: { scoringThread: options, telemetry: threadTelemetry } satisfies ThreadData });
    this.outgoing = new Batcher<Outgoing>((batch) => this.worker.postMessage(packFrames(batch)));
    let ready: () => void = () => {};
    let failed: (e: Error) => void = () => {};
    this.started = new Promise<void>((ok, fail) => {
      ready = ok;
      failed = fail;
    });
    this.worker.on("message", (message: Uint8Array | string) => {
      if (message === READY) return ready();
      for (const { id, code, body } of unpackFrames(message as Uint8Array)) {
        const waiter = this.waiting.get(id);
        if (!waiter) continue;
        this.waiting.delete(id);
        // The server's health check reports recent write failures: the thread's too.
        const status = code % OUTCOME_CODE;
        if (status === 503) storeHealth.lastUnavailableAt = performance.now();
        const rank = Math.floor(code / OUTCOME_CODE);
        waiter.resolve({ status: status as JsonAnswer["status"], json: body, decision: rank > 0 ? Ruleset.DECISIONS[rank - 1] : undefined });
      }
    });
    const stopped = (error: Error) => {
      if (this.ended) return;
      this.ended = true;
      failed(error);
      for (const waiter of this.waiting.values()) waiter.reject(new Errors.UnavailableError("the scoring thread stopped", { cause: error }));
      this.waiting.clear();
      if (!this.stopping) onCrash(error);
    };
    this.worker.on("error", stopped);
    this.worker.on("exit", (code) => stopped(new Error(`the scoring thread exited with code ${code}`)));
  }

  /** Resolves once the thread has opened the platform; rejects if it could not. */
  ready(): Promise<void> {
    return this.started;
  }

  /** As answerTransaction's answer; rejects (the API's 503) only if the thread has stopped. */
  answer(bytes: Uint8Array, traceparent?: string): Promise<JsonAnswer> {
    return new Promise<JsonAnswer>((resolve, reject) => {
      if (this.ended) return reject(new Errors.UnavailableError("the scoring thread stopped"));
      const id = this.nextId;
      this.nextId = (this.nextId + 1) % ID_LIMIT;
      this.waiting.set(id, { resolve, reject });
      if (this.traced && traceparent?.length === TRACEPARENT_BYTES) {
        this.outgoing.send({ id, code: TRACED_REQUEST, body: Buffer.concat([Buffer.from(traceparent, "latin1"), bytes]) });
      } else this.outgoing.send({ id, code: REQUEST, body: bytes });
    });
  }

  /** Stops the thread once the decisions it holds are answered and its connection is closed (terminated after `timeoutMs`). */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.stopping || this.ended) return;
    this.stopping = true;
    const exited = new Promise<void>((ok) => this.worker.once("exit", () => ok()));
    this.outgoing.flush();
    this.worker.postMessage(CLOSE);
    const timer = setTimeout(() => void this.worker.terminate(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Messages sent in the same turn of the event loop go together, as one message: each message
 * between threads wakes the other one up, and under load a turn handles several requests. They go
 * as frames of bytes (frames.ts): a transaction's body as received, an answer's JSON as the client
 * gets it, so neither side parses or serializes what the other one already has.
 */
class Batcher<T> {
  private held: T[] = [];

  constructor(private readonly post: (batch: T[]) => void) {}

  send(item: T): void {
    if (this.held.length === 0) setImmediate(() => this.flush());
    this.held.push(item);
  }

  /** Sends what is held now. */
  flush(): void {
    if (this.held.length > 0) this.post(this.held.splice(0));
  }
}

/** The frame code of an answer: its status, and its decision's rank when it holds one. */
function answerCode(answer: ApiAnswer): number {
  return answer.status + (answer.decision ? OUTCOME_CODE * (Ruleset.DECISIONS.indexOf(answer.decision as Ruleset.DecisionOutcome) + 1) : 0);
}

/** The thread's side: one platform, one Scoring, the API's answer to each transaction. */
async function serve(options: ScoringThreadOptions, telemetry: ScoringThreadTelemetry): Promise<void> {
  const log = createLogger({ service: "scoring", level: telemetry.logLevel });
  routeConsole(log);
  const logger = apiLogger(log);
  const counters = new DecisionCounters(telemetry.counters);
  const untraced = { counters };
  const tracing = await loadTracing(telemetry.tracing);
  const port = parentPort!;
  const platform = openLocalPlatform(options);
  const replies = new Batcher<Outgoing>((batch) => port.postMessage(packFrames(batch)));
  let inFlight = 0;
  let closing = false;
  let closed = false;
  const closeWhenIdle = () => {
    if (!closing || closed || inFlight > 0) return;
    closed = true;
    // After the last answers, which go out at the end of this turn.
    setImmediate(() => {
      replies.flush();
      platform.close();
      // The thread's last spans are sent before it ends.
      void (tracing?.shutdown() ?? Promise.resolve()).then(() => port.close());
    });
  };
  port.on("message", (message: Uint8Array | string) => {
    if (message === CLOSE) {
      closing = true;
      return closeWhenIdle();
    }
    for (const { id, code, body } of unpackFrames(message as Uint8Array)) {
      inFlight += 1;
      // Never rejects: a failure is the API's 500 or 503, logged here in full, never sent.
      const answered =
        code === TRACED_REQUEST && tracing
          ? tracing.decision(Buffer.from(body.subarray(0, TRACEPARENT_BYTES)).toString("latin1"), (timing) =>
              answerTransaction(platform.scoring, logger, body.subarray(TRACEPARENT_BYTES), { counters, timing }),
            )
          : answerTransaction(platform.scoring, logger, code === TRACED_REQUEST ? body.subarray(TRACEPARENT_BYTES) : body, untraced);
      void answered.then((answer) => {
        replies.send({ id, code: answerCode(answer), body: JSON.stringify(answer.body) });
        inFlight -= 1;
        closeWhenIdle();
      });
    }
  });
  port.postMessage(READY);
}

const data = workerData as Partial<ThreadData> | undefined;
if (!isMainThread && data?.scoringThread && data.telemetry) await serve(data.scoringThread, data.telemetry);
