import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { type Decision, type DecisionCounters, Errors, type Platform, type Readiness, type Report, type User } from "@fraud/core";
import type { Context, MiddlewareHandler } from "hono";
import { webStreamBody } from "./body.ts";
import {
  authenticate,
  consoleLogger,
  createIngest,
  errorAnswer,
  failure,
  type ApiAnswer,
  type ApiLogger,
  type ApiStatus,
  type JsonAnswer,
  type TraceDecision,
  type TransactionAnswerer,
} from "./ingest.ts";
import { RateLimiter } from "./rate-limit.ts";
import { mountReports } from "./reports.ts";
import { DecisionBody, ErrorBody, HealthBody, ReadyBody, TransactionBody } from "./schemas.ts";

export interface ApiDeps {
  /** Scores in this process, or hands the body to what answers it (the local server's scoring thread). */
  scoring: Pick<Decision.Scoring, "submit"> | TransactionAnswerer;
  decisions: Platform.DecisionLog;
  apiKeys: User.ApiKeyStore;
  /** False when the store cannot accept writes (the health route says "degraded"). */
  healthy?: () => Promise<boolean>;
  bodyLimitBytes?: number;
  /** Requests per second per API key (bursts of twice that); unlimited when absent. */
  rateLimitPerS?: number;
  logger?: ApiLogger;
  /** Saved reports over the lake (GET /api/reports...), when this deployment runs them here. */
  reports?: Report.Reports;
  /** Counts the decisions scored in this process, for GET /metrics. */
  counters?: DecisionCounters;
  traceDecision?: TraceDecision;
  /** Whether this node should receive traffic (GET /api/ready); without it, readiness is the health check. */
  readiness?: () => Promise<Readiness>;
  /** The Prometheus text of GET /api/metrics (the local server also serves it as GET /metrics). */
  metrics?: () => Promise<{ contentType: string; text: string }>;
}

type Env = { Variables: { apiKey: User.ApiKeyInfo } };

function send(c: Context, answer: ApiAnswer | JsonAnswer) {
  if ("json" in answer) {
    return c.body(Buffer.from(answer.json).toString("utf8"), answer.status, { "content-type": "application/json" });
  }
  for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value);
  return c.json(answer.body as Record<string, unknown>, answer.status);
}

function fail(c: Context, status: Exclude<ApiStatus, 200>, code: string, message?: string, fields?: Record<string, string[]>) {
  return send(c, failure(status, code, message, fields));
}

function requireKey(apiKeys: User.ApiKeyStore, scope: User.ApiKeyScope, limiter?: RateLimiter): MiddlewareHandler<Env> {
  return async (c, next) => {
    const auth = await authenticate(apiKeys, scope, limiter, c.req.header("authorization"));
    if (!auth.ok) return send(c, auth.answer);
    c.set("apiKey", auth.key);
    await next();
  };
}

const getDecisionRoute = createRoute({
  method: "get",
  path: "/transactions/{id}",
  summary: "A decision with its explanation",
  security: [{ bearer: [] }],
  request: { params: z.object({ id: z.string().min(1).max(128) }) },
  responses: {
    200: {
      description: "The decision, with features, fired rules and the profile at decision time",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
    401: { description: "No valid API key", content: { "application/json": { schema: ErrorBody } } },
    404: { description: "Unknown transaction", content: { "application/json": { schema: ErrorBody } } },
  },
});

const readyRoute = createRoute({
  method: "get",
  path: "/ready",
  summary: "Readiness: the store accepts writes, the worker runs and keeps up",
  responses: {
    200: { description: "Ready for traffic", content: { "application/json": { schema: ReadyBody } } },
    503: { description: "Not ready, with the reason", content: { "application/json": { schema: ReadyBody } } },
  },
});

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  summary: "Liveness and whether decisions can be recorded",
  responses: {
    200: { description: "Status", content: { "application/json": { schema: HealthBody } } },
    503: { description: "Degraded", content: { "application/json": { schema: HealthBody } } },
  },
});

/** The HTTP API: served locally by the Node server and on AWS by the ingest Lambda. */
export function createApi(deps: ApiDeps) {
  const logger = deps.logger ?? consoleLogger;
  const limit = deps.bodyLimitBytes ?? 16_384;
  const limiter = deps.rateLimitPerS ? new RateLimiter(deps.rateLimitPerS, deps.rateLimitPerS * 2) : undefined;
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return fail(c, 400, "INVALID_REQUEST", undefined, Errors.fieldErrors(result.error));
      }
    },
  }).basePath("/api");

  app.onError((err, c) => send(c, errorAnswer(err, c.req.path, logger)));
  app.notFound((c) => fail(c, 404, "NOT_FOUND", "no such route"));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "API key" });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/transactions",
    summary: "Score a transaction before accepting it",
    description:
      "Validates, scores and records the transaction; answers with the decision and its reasons. The same transaction_id again returns the first decision with duplicate: true.",
    security: [{ bearer: [] }],
    request: { body: { required: true, content: { "application/json": { schema: TransactionBody } } } },
    responses: {
      200: { description: "The decision", content: { "application/json": { schema: DecisionBody } } },
      400: { description: "Invalid transaction: every failing field is named", content: { "application/json": { schema: ErrorBody } } },
      401: { description: "No valid API key", content: { "application/json": { schema: ErrorBody } } },
      409: { description: "The transaction_id was used for a different transaction", content: { "application/json": { schema: ErrorBody } } },
      413: { description: "Body too large", content: { "application/json": { schema: ErrorBody } } },
      429: { description: "Too many requests for this API key (see Retry-After)", content: { "application/json": { schema: ErrorBody } } },
      503: { description: "Decisions cannot be recorded right now; nothing was stored", content: { "application/json": { schema: ErrorBody } } },
    },
  });

  const ingest = createIngest({
    scoring: deps.scoring,
    apiKeys: deps.apiKeys,
    limiter,
    bodyLimitBytes: limit,
    logger,
    counters: deps.counters,
    traceDecision: deps.traceDecision,
  });
  app.post("/transactions", async (c) =>
    send(
      c,
      await ingest({
        authorization: c.req.header("authorization"),
        contentType: c.req.header("content-type"),
        contentLength: c.req.header("content-length"),
        body: webStreamBody(c.req.raw.body),
      }),
    ),
  );

  app.use("/transactions/:id", requireKey(deps.apiKeys, "read", limiter));
  app.openapi(getDecisionRoute, async (c) => {
    const decision = await deps.decisions.get(c.req.valid("param").id);
    if (!decision) return c.json({ error: { code: "NOT_FOUND", message: "no decision for this transaction_id" } }, 404);
    return c.json(decision as unknown as Record<string, unknown>, 200);
  });

  app.openapi(healthRoute, async (c) => {
    const ok = deps.healthy ? await deps.healthy() : true;
    return c.json({ status: ok ? ("ok" as const) : ("degraded" as const) }, ok ? 200 : 503);
  });

  app.openapi(readyRoute, async (c) => {
    const r = deps.readiness
      ? await deps.readiness()
      : (await (deps.healthy?.() ?? true))
        ? { ready: true as const }
        : { ready: false as const, reason: "STORE_NOT_WRITABLE" as const };
    return r.ready ? c.json({ status: "ready" as const }, 200) : c.json({ status: "not_ready" as const, reason: r.reason }, 503);
  });

  if (deps.metrics) {
    const metrics = deps.metrics;
    // Metrics name routes, outcomes and backlogs: an API key with the `metrics` scope, never anonymous.
    app.use("/metrics", requireKey(deps.apiKeys, "metrics", limiter));
    app.get("/metrics", async (c) => {
      const { contentType, text } = await metrics();
      return c.body(text, 200, { "content-type": contentType, "cache-control": "no-store" });
    });
  }

  if (deps.reports) mountReports(app, deps.reports, requireKey(deps.apiKeys, "read", limiter), logger);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Fraud decision API", version: "1.0.0", description: "Score transactions before accepting them." },
  });

  return Object.assign(app, { ingest });
}

export type Api = ReturnType<typeof createApi>;
