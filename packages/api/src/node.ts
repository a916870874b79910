import { getRequestListener } from "@hono/node-server";
import type { Ruleset } from "@fraud/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Api } from "./app.ts";
import type { BodySource } from "./body.ts";
import type { ApiAnswer, JsonAnswer } from "./ingest.ts";

/**
 * The most of a refused body the server still reads (and drops) before it answers, and for how
 * long: a connection closed with unread bytes is reset, and the client loses the answer with it.
 */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
export const DRAIN_MAX_MS = 5_000;

/**
 * Reads and drops what is left of a request's body, so that an answer sent before the whole body
 * was read reaches a client that is still sending. True once the body has ended; false when it is
 * declared or found longer than DRAIN_MAX_BYTES, or still coming after DRAIN_MAX_MS: the answer
 * must then close the connection.
 */
export function discardBody(req: IncomingMessage): Promise<boolean> {
  if (req.readableEnded || req.complete) return Promise.resolve(true);
  if (Number(req.headers["content-length"] ?? 0) > DRAIN_MAX_BYTES || req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let size = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onFail).off("close", onFail);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > DRAIN_MAX_BYTES) finish(false);
    };
    const onEnd = () => finish(true);
    const onFail = () => finish(false);
    const timer = setTimeout(() => finish(false), DRAIN_MAX_MS);
    req.on("data", onData).on("end", onEnd).on("error", onFail).on("close", onFail);
    req.resume();
  });
}

/**
 * Answers once the rest of the body is read and dropped (bounded by discardBody), so the client
 * reads the answer; the connection stays open for the next request when the whole body was read.
 */
export function answerAfterBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string | Uint8Array,
): void {
  void discardBody(req).then((ended) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body), ...(ended ? {} : { connection: "close" }) }).end(body);
  });
}

/** A body read from Node's request stream, stopping as soon as the limit is passed. */
function nodeBody(req: IncomingMessage): BodySource {
  return (limitBytes) =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limitBytes) {
          done();
          resolve({ ok: false }); // the rest is read and dropped before the answer (write)
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        done();
        resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
      };
      const onError = (e: Error) => {
        done();
        reject(e);
      };
      const done = () => {
        req.off("data", onData).off("end", onEnd).off("error", onError);
      };
      req.on("data", onData).on("end", onEnd).on("error", onError);
    });
}

const DECISION = Symbol("decision");
type Answered = ServerResponse & { [DECISION]?: Ruleset.DecisionOutcome };

/** The decision a response carried, if it answered a transaction: for the request's log line and span. */
export function answeredDecision(res: ServerResponse): Ruleset.DecisionOutcome | undefined {
  return (res as Answered)[DECISION];
}

function write(req: IncomingMessage, res: ServerResponse, answer: ApiAnswer | JsonAnswer): void {
  if (answer.decision) (res as Answered)[DECISION] = answer.decision;
  const json = "json" in answer ? answer.json : JSON.stringify(answer.body);
  const headers: Record<string, string | number> = { "content-type": "application/json", ...("headers" in answer ? answer.headers : {}) };
  // A body refused for its size is still coming: the client reads the answer once it has been sent.
  if (answer.status === 413) answerAfterBody(req, res, answer.status, headers, json);
  else res.writeHead(answer.status, { ...headers, "content-length": typeof json === "string" ? Buffer.byteLength(json) : json.byteLength }).end(json);
}

/**
 * The API on Node's HTTP server. POST /api/transactions, the hot path, goes straight to the
 * ingest handler the Hono app uses (same checks, same answers) without building Fetch Request and
 * Response objects; every other route goes through Hono.
 */
export function nodeListener(api: Api): (req: IncomingMessage, res: ServerResponse) => void {
  const viaHono = getRequestListener(api.fetch);
  return (req, res) => {
    if (req.method !== "POST" || req.url !== "/api/transactions") {
      void viaHono(req, res);
      return;
    }
    void api
      .ingest({
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        contentLength: req.headers["content-length"],
        body: nodeBody(req),
        traceparent: typeof req.headers.traceparent === "string" ? req.headers.traceparent : undefined,
      })
      .then((answer) => write(req, res, answer));
  };
}
