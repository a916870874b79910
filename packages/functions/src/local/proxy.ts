import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

/** Headers that concern one connection, not the request: never forwarded (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

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

function plain(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }).end(message);
}

/**
 * Forwards a request to a process on a loopback port and streams its answer back unchanged (status,
 * headers, body as it comes, so streamed pages stay streamed). The browser's Host header is kept;
 * X-Forwarded-For/-Host/-Proto say where the request came from. While the target has no port (it
 * is starting or restarting), or when it fails, the browser gets a short 503/502, never the error.
 */
export function forwardTo(port: () => number | undefined, unavailable: string): (req: IncomingMessage, res: ServerResponse) => void {
  const agent = new Agent({ keepAlive: true });
  return (req, res) => {
    const target = port();
    if (target === undefined) {
      req.resume();
      plain(res, 503, unavailable);
      return;
    }
    const headers = endToEnd(req.headers);
    headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    headers["x-forwarded-host"] = req.headers.host ?? "";
    headers["x-forwarded-proto"] = "http";
    const upstream = request({ host: "127.0.0.1", port: target, method: req.method, path: req.url, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.once("error", () => res.destroy());
    });
    upstream.once("error", () => plain(res, 502, unavailable));
    // The browser went away before the answer was complete: stop the work upstream.
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}
