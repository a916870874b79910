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
import { Errors } from "@fraud/core";
import { openLocalPlatform, storeHealth, type RuntimePlatformOptions } from "@fraud/core/local";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { answerTransaction, consoleLogger, type JsonAnswer, type TransactionAnswerer } from "@fraud/api/ingest";
import { maskConsole } from "@fraud/core/logs";
import { packFrames, unpackFrames } from "./frames.ts";

/** What the thread needs to open the platform (the server's own options): plain data, copied to it. */
export type ScoringThreadOptions = RuntimePlatformOptions;
type ThreadData = { scoringThread: ScoringThreadOptions };

/** Sent by the thread once its platform is open. */
const READY = "ready";
/** Sent alone, after the last request: the thread closes its connection and ends. */
const CLOSE = "close";
/** A request's frame code; an answer's is its HTTP status. */
const REQUEST = 0;
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

  /** `onCrash` is told when the thread stops by itself (a bug): the server cannot score without it. */
  constructor(options: ScoringThreadOptions, onCrash: (error: Error) => void) {
    // The thread runs this same TypeScript file: it registers the loader the server runs under first.
    const tsx = import.meta.resolve("tsx/esm/api");
    const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    this.worker = new Worker(boot, { eval: true, workerData: { scoringThread: options } satisfies ThreadData });
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
        if (code === 503) storeHealth.lastUnavailableAt = performance.now();
        waiter.resolve({ status: code as JsonAnswer["status"], json: body });
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
  answer(bytes: Uint8Array): Promise<JsonAnswer> {
    return new Promise<JsonAnswer>((resolve, reject) => {
      if (this.ended) return reject(new Errors.UnavailableError("the scoring thread stopped"));
      const id = this.nextId;
      this.nextId = (this.nextId + 1) % ID_LIMIT;
      this.waiting.set(id, { resolve, reject });
      this.outgoing.send({ id, code: REQUEST, body: bytes });
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

/** The thread's side: one platform, one Scoring, the API's answer to each transaction. */
function serve(options: ScoringThreadOptions): void {
  maskConsole();
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
      port.close();
    });
  };
  port.on("message", (message: Uint8Array | string) => {
    if (message === CLOSE) {
      closing = true;
      return closeWhenIdle();
    }
    for (const { id, body } of unpackFrames(message as Uint8Array)) {
      inFlight += 1;
      // Never rejects: a failure is the API's 500 or 503, logged here in full, never sent.
      void answerTransaction(platform.scoring, consoleLogger, body).then((answer) => {
        replies.send({ id, code: answer.status, body: JSON.stringify(answer.body) });
        inFlight -= 1;
        closeWhenIdle();
      });
    }
  });
  port.postMessage(READY);
}

const data = workerData as Partial<ThreadData> | undefined;
if (!isMainThread && data?.scoringThread) serve(data.scoringThread);
