/**
 * Scoring in a thread of its own. The server's event loop reads, authenticates and answers
 * requests; this thread validates, scores and records them, SQLite's group commits included. On
 * two cores the server's one JavaScript thread was the limit (two thirds busy at 2,500
 * transactions a second, a third of that in SQLite): split in two, each half has a core's room.
 *
 * The thread opens the same embedded platform on its own SQLite connection, so a decision is
 * recorded exactly as before (one transaction with the profile and the outbox row), and answered
 * only once committed. Everything else the server does stays on its own connection.
 */
import { UnavailableError, type Scoring, type SubmitResult } from "@fraud/core";
import { openLocalPlatform, storeHealth } from "@fraud/core/local";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { maskConsole } from "../log-masking.ts";
import type { RuntimePlatformOptions } from "./runtime.ts";

/** What the thread needs to open the platform (the server's own options): plain data, copied to it. */
export type ScoringThreadOptions = RuntimePlatformOptions;
type ThreadData = { scoringThread: ScoringThreadOptions };

type Request = { id: number; input: unknown };
/** Sent alone, after the last request: the thread closes its connection and ends. */
const CLOSE = "close";
type Reply =
  | { id: number; ok: true; result: SubmitResult }
  | { id: number; ok: false; unavailable: boolean; message: string; stack?: string }
  | { ready: true };

/** The server's side: `submit` as Scoring's, answered by the thread. */
export class ScoringThread implements Pick<Scoring, "submit"> {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: SubmitResult) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private readonly started: Promise<void>;
  private stopping = false;
  private ended = false;
  private readonly outgoing: Batcher<Request>;

  /** `onCrash` is told when the thread stops by itself (a bug): the server cannot score without it. */
  constructor(options: ScoringThreadOptions, onCrash: (error: Error) => void) {
    // The thread runs this same TypeScript file: it registers the loader the server runs under first.
    const tsx = import.meta.resolve("tsx/esm/api");
    const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    this.worker = new Worker(boot, { eval: true, workerData: { scoringThread: options } satisfies ThreadData });
    this.outgoing = new Batcher<Request>((batch) => this.worker.postMessage(batch));
    let ready: () => void = () => {};
    let failed: (e: Error) => void = () => {};
    this.started = new Promise<void>((ok, fail) => {
      ready = ok;
      failed = fail;
    });
    this.worker.on("message", (text: string) => {
      for (const reply of JSON.parse(text) as Reply[]) {
        if ("ready" in reply) {
          ready();
          continue;
        }
        const waiter = this.waiting.get(reply.id);
        if (!waiter) continue;
        this.waiting.delete(reply.id);
        if (reply.ok) waiter.resolve(reply.result);
        else waiter.reject(toError(reply));
      }
    });
    const stopped = (error: Error) => {
      if (this.ended) return;
      this.ended = true;
      failed(error);
      for (const waiter of this.waiting.values()) waiter.reject(new UnavailableError("the scoring thread stopped", { cause: error }));
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

  /** As Scoring's; `input` is a transaction as parsed from JSON (it crosses to the thread as JSON). */
  submit(input: unknown): Promise<SubmitResult> {
    return new Promise<SubmitResult>((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      this.outgoing.send({ id, input });
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
 * as JSON text: transactions arrive as JSON and decisions are stored as JSON, and for these plain
 * objects V8's structured clone cost five times as much (a decision: 44 µs against 9).
 */
class Batcher<T> {
  private held: T[] = [];

  constructor(private readonly post: (batch: string) => void) {}

  send(item: T): void {
    if (this.held.length === 0) setImmediate(() => this.flush());
    this.held.push(item);
  }

  /** Sends what is held now. */
  flush(): void {
    if (this.held.length > 0) this.post(JSON.stringify(this.held.splice(0)));
  }
}

/** A failure in the thread, as the API's error handling expects it: 503 when the store cannot write, 500 otherwise. */
function toError(reply: Extract<Reply, { ok: false }>): Error {
  if (reply.unavailable) {
    // The server's health check reports recent write failures: the thread's count too.
    storeHealth.lastUnavailableAt = performance.now();
    return new UnavailableError("the data store cannot accept writes", { cause: new Error(reply.message) });
  }
  const error = new Error(reply.message);
  if (reply.stack) error.stack = reply.stack;
  return error;
}

/** The thread's side: one platform, one Scoring, one submit per transaction. */
function serve(options: ScoringThreadOptions): void {
  maskConsole();
  const port = parentPort!;
  const platform = openLocalPlatform(options);
  const replies = new Batcher<Reply>((batch) => port.postMessage(batch));
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
      port.close();
    });
  };
  port.on("message", (text: string) => {
    if (text === CLOSE) {
      closing = true;
      return closeWhenIdle();
    }
    for (const { id, input } of JSON.parse(text) as Request[]) {
      inFlight += 1;
      platform.scoring.submit(input).then(
        (result) => replies.send({ id, ok: true, result }),
        (error: unknown) => {
          const unavailable = error instanceof UnavailableError;
          const cause = unavailable ? ((error.cause as Error | undefined)?.message ?? error.message) : String((error as Error)?.message ?? error);
          replies.send({ id, ok: false, unavailable, message: cause, stack: (error as Error)?.stack });
        },
      ).finally(() => {
        inFlight -= 1;
        closeWhenIdle();
      });
    }
  });
  replies.send({ ready: true });
}

const data = workerData as Partial<ThreadData> | undefined;
if (!isMainThread && data?.scoringThread) serve(data.scoringThread);
