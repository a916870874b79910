import { getRequestListener } from "@hono/node-server";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerAfterBody } from "../local/edge.ts";
import type { Api } from "./app.ts";
import type { BodySource } from "./body.ts";
import type { ApiAnswer, JsonAnswer } from "./ingest.ts";

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

function write(req: IncomingMessage, res: ServerResponse, answer: ApiAnswer | JsonAnswer): void {
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
      .ingest({ authorization: req.headers.authorization, contentType: req.headers["content-type"], contentLength: req.headers["content-length"], body: nodeBody(req) })
      .then((answer) => write(req, res, answer));
  };
}
