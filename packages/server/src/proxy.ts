import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { answerAfterBody } from "@fraud/api/node";
import { senderOf, type EdgeSettings } from "./edge.ts";

/** Headers that concern one connection, not the request: never forwarded (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Headers that say where a request came from: the forwarder writes its own, so that what a client
 * claims never reaches the dashboard. Expect was answered on this hop already.
 */
const SENDER_HEADERS = new Set([
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "expect",
]);

/**
 * The largest body the dashboard is sent: its server actions accept 2 MiB
 * (serverActions.bodySizeLimit in packages/web/next.config.ts), so more is refused here.
 */
export const DASHBOARD_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase()),
  );
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  return out;
}

const PLAIN = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

/** A short answer of the forwarder's own; once the dashboard's answer has started, only closing is left. */
function plain(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  answerAfterBody(req, res, status, PLAIN, message);
}

export interface ForwardOptions {
  /** The dashboard's loopback port; undefined while it starts or restarts. */
  port: () => number | undefined;
  /** What the browser reads while there is no port, or when the dashboard cannot be reached. */
  unavailable: string;
  /** Who is believed about the client's address and scheme. */
  edge: EdgeSettings;
  bodyLimitBytes?: number;
}

/**
 * Forwards a request to a process on a loopback port and streams its answer back unchanged (status,
 * headers, body as it comes, so streamed pages stay streamed). The browser's Host header is kept;
 * X-Forwarded-For/-Host/-Proto are the forwarder's own (see senderOf). The body is sent with
 * framing of its own (its Content-Length, or chunked), whatever the method, so that no byte of it
 * can be read upstream as a request of its own on the kept-alive connections to the dashboard; a
 * body over the limit is refused (413) and the request to the dashboard, if started, abandoned with
 * its connection. While the target has no port (it is starting or restarting), or when it fails,
 * the browser gets a short 503/502, never the error.
 */
export function forwardTo(options: ForwardOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const agent = new Agent({ keepAlive: true });
  const limit = options.bodyLimitBytes ?? DASHBOARD_BODY_LIMIT_BYTES;
  const tooLarge = `The request body is over ${limit} bytes.\n`;
  return (req, res) => {
    const target = options.port();
    if (target === undefined) {
      plain(req, res, 503, options.unavailable);
      return;
    }
    // Node's parser has checked both: one decimal Content-Length, or a Transfer-Encoding ending in chunked.
    const declared = req.headers["content-length"];
    const chunked = req.headers["transfer-encoding"] !== undefined;
    if (declared !== undefined && Number(declared) > limit) {
      plain(req, res, 413, tooLarge);
      return;
    }
    const headers = endToEnd(req.headers);
    for (const name of Object.keys(headers)) if (SENDER_HEADERS.has(name)) delete headers[name];
    const sender = senderOf(req, options.edge);
    headers["x-forwarded-for"] = sender.address;
    headers["x-forwarded-host"] = sender.host;
    headers["x-forwarded-proto"] = sender.secure ? "https" : "http";
    if (declared !== undefined) headers["content-length"] = declared;
    else if (chunked) headers["transfer-encoding"] = "chunked";

    const upstream = request({ host: "127.0.0.1", port: target, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.once("error", () => res.destroy());
    });
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        // The dashboard never sees the end of this request; its connection goes with it.
        abandon(413, tooLarge);
        return;
      }
      if (!upstream.write(chunk)) req.pause();
    };
    const onEnd = () => upstream.end();
    const abandon = (status: number, message: string) => {
      req.off("data", onData).off("end", onEnd);
      upstream.off("error", onUpstreamError).on("error", () => undefined);
      upstream.destroy();
      plain(req, res, status, message);
    };
    const onUpstreamError = () => abandon(502, options.unavailable);
    upstream.on("error", onUpstreamError);
    // The browser went away before the answer was complete: stop the work upstream.
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (declared === undefined && !chunked) {
      upstream.end();
      return;
    }
    upstream.on("drain", () => req.resume());
    req.on("data", onData).on("end", onEnd);
  };
}
