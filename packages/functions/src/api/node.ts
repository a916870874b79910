import { getRequestListener } from "@hono/node-server";
import type { IncomingMessage, ServerResponse } from "node:http";
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
          req.resume(); // discard the rest; the answer closes the connection
          resolve({ ok: false });
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

function write(res: ServerResponse, answer: ApiAnswer | JsonAnswer): void {
  const json = "json" in answer ? answer.json : JSON.stringify(answer.body);
  const length = typeof json === "string" ? Buffer.byteLength(json) : json.byteLength;
  const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": length, ...("headers" in answer ? answer.headers : {}) };
  if (answer.status === 413) headers.connection = "close";
  res.writeHead(answer.status, headers).end(json);
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
      .then((answer) => write(res, answer));
  };
}
