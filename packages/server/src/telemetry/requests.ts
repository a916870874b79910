import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Privacy } from "@fraud/core";
import type { Logger } from "@fraud/core/logger";
import { answeredDecision } from "@fraud/api/node";
import type { HttpMetrics } from "./http-metrics.ts";
import { DASHBOARD_ROUTE, type RouteTable } from "./routes.ts";
import type { Tracing } from "./tracing.ts";

/**
 * A request id a client may choose (X-Request-Id): letters, digits and `._:-`, at most 128
 * characters. Anything else is replaced by a generated one, so an id never carries spaces,
 * quotes or control characters into a log line, and never grows it without bound.
 */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The client's X-Request-Id when it is a sane one, else a new UUID. One that reads as personal
 * data (a phone number, say) is replaced too: request lines skip the logs' redaction pass.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && REQUEST_ID.test(header) && Privacy.maskPersonalData(header) === header ? header : randomUUID();
}

export interface RequestTelemetry {
  /** A requestLogger: the lines it writes are made of the values below only. */
  log: Logger;
  http: HttpMetrics;
  routes: RouteTable;
  tracing?: Tracing;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Every request to the server's port, observed once it is answered: one log line (request id,
 * method, route pattern, status, latency, the decision for a transaction), its count and duration
 * for GET /metrics, and its span when tracing is on. The request id is sent back as X-Request-Id
 * and forwarded to the dashboard, so that a client's report, the server's line and the
 * dashboard's own lines meet on it.
 */
export function observeRequests(t: RequestTelemetry, handle: Handler): Handler {
  return (req, res) => {
    const started = performance.now();
    const id = requestIdOf(req.headers["x-request-id"]);
    req.headers["x-request-id"] = id;
    res.setHeader("x-request-id", id);
    const route = t.routes.of(req.method, req.url);
    const parent = req.headers.traceparent;
    const span = t.tracing?.httpSpan(req.method ?? "GET", typeof parent === "string" ? parent : undefined);
    // The scoring thread's spans hang under this request's span, whatever the client sent.
    if (span) req.headers.traceparent = span.traceparent;
    res.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      // An answer cut short (the client left) is logged as 499, as nginx does.
      const status = res.writableFinished ? res.statusCode : 499;
      t.http.observe(route, req.method, status, seconds);
      const name = t.routes.names[route]!;
      const decision = answeredDecision(res);
      span?.end(name, status, decision);
      const level = status >= 500 ? "error" : name === DASHBOARD_ROUTE && req.url?.startsWith("/_next/") ? "debug" : "info";
      if (!t.log.isLevelEnabled(level)) return;
      t.log[level](
        {
          request_id: id,
          method: req.method,
          route: name,
          status,
          latency_ms: Math.round(seconds * 1e6) / 1000,
          ...(decision ? { decision } : {}),
          ...(span ? { trace_id: span.traceId } : {}),
        },
        "request",
      );
    });
    handle(req, res);
  };
}
