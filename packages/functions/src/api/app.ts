import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { UnavailableError, type ApiKeyInfo, type ApiKeyScope, type ApiKeyStore, type Decision, type DecisionLog, type Reports, type Scoring } from "@fraud/core";
import type { Context, MiddlewareHandler } from "hono";
import { readJsonBody } from "./body.ts";
import { RateLimiter } from "./rate-limit.ts";
import { mountReports } from "./reports.ts";
import { DecisionBody, ErrorBody, HealthBody, TransactionBody } from "./schemas.ts";

export interface ApiLogger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface ApiDeps {
  scoring: Scoring;
  decisions: DecisionLog;
  apiKeys: ApiKeyStore;
  /** False when the store cannot accept writes (the health route says "degraded"). */
  healthy?: () => Promise<boolean>;
  bodyLimitBytes?: number;
  /** Requests per second per API key (bursts of twice that); unlimited when absent. */
  rateLimitPerS?: number;
  logger?: ApiLogger;
  /** Saved reports over the lake (GET /api/reports...), when this deployment runs them here. */
  reports?: Reports;
}

type Env = { Variables: { apiKey: ApiKeyInfo } };

const consoleLogger: ApiLogger = {
  error: (message, data) => console.error(JSON.stringify({ level: "error", message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: "warn", message, ...data })),
};

function fail(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503, code: string, message?: string, fields?: Record<string, string[]>) {
  return c.json({ error: { code, ...(message ? { message } : {}), ...(fields ? { fields } : {}) } }, status);
}

/** What a client sees of a decision: the outcome and its reasons, not the internal features. */
export function toDecisionBody(d: Decision, duplicate = false) {
  return {
    transaction_id: d.transaction_id,
    decision: d.decision,
    score: d.score,
    rules: d.rules.map((r) => ({ id: r.id, name: r.name, score: r.score, values: r.values })),
    list_match: d.list_match ? { kind: d.list_match.kind, field: d.list_match.field, reason: d.list_match.reason } : null,
    fallback_reason: d.fallback_reason,
    ruleset_version: d.ruleset_version,
    latency_ms: d.latency_ms,
    ...(duplicate ? { duplicate: true } : {}),
  };
}

function requireKey(apiKeys: ApiKeyStore, scope: ApiKeyScope, limiter?: RateLimiter): MiddlewareHandler<Env> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S{1,256})$/i.exec(header);
    const key = match ? await apiKeys.verify(match[1]!) : undefined;
    if (!key) return fail(c, 401, "UNAUTHORIZED", "send a valid API key as 'Authorization: Bearer <key>'");
    if (!key.scopes.includes(scope)) return fail(c, 403, "FORBIDDEN", `this API key has no '${scope}' scope`);
    const wait = limiter?.take(key.id) ?? 0;
    if (wait > 0) {
      c.header("retry-after", String(wait));
      return fail(c, 429, "RATE_LIMITED", "too many requests for this API key; retry later");
    }
    c.set("apiKey", key);
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
    200: { description: "The decision, with features, fired rules and the profile at decision time", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
    401: { description: "No valid API key", content: { "application/json": { schema: ErrorBody } } },
    404: { description: "Unknown transaction", content: { "application/json": { schema: ErrorBody } } },
  },
});

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  summary: "Liveness and whether decisions can be recorded",
  responses: { 200: { description: "Status", content: { "application/json": { schema: HealthBody } } }, 503: { description: "Degraded", content: { "application/json": { schema: HealthBody } } } },
});

/** The HTTP API: served locally by the Node server and on AWS by the ingest Lambda. */
export function createApi(deps: ApiDeps) {
  const logger = deps.logger ?? consoleLogger;
  const limit = deps.bodyLimitBytes ?? 16_384;
  const limiter = deps.rateLimitPerS ? new RateLimiter(deps.rateLimitPerS, deps.rateLimitPerS * 2) : undefined;
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const fields: Record<string, string[]> = {};
        for (const issue of result.error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
        return fail(c, 400, "INVALID_REQUEST", undefined, fields);
      }
    },
  }).basePath("/api");

  app.onError((err, c) => {
    if (err instanceof UnavailableError) {
      logger.error("store unavailable: request refused with 503", { path: c.req.path, cause: String((err.cause as Error | undefined)?.message ?? err.message) });
      return fail(c, 503, "UNAVAILABLE", "the service cannot record decisions right now; retry later");
    }
    logger.error("unhandled error", { path: c.req.path, error: err.stack ?? String(err) });
    return fail(c, 500, "INTERNAL", "internal error");
  });
  app.notFound((c) => fail(c, 404, "NOT_FOUND", "no such route"));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "API key" });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/transactions",
    summary: "Score a transaction before accepting it",
    description: "Validates, scores and records the transaction; answers with the decision and its reasons. The same transaction_id again returns the first decision with duplicate: true.",
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

  app.post("/transactions", requireKey(deps.apiKeys, "ingest", limiter), async (c) => {
    const body = await readJsonBody(c, limit);
    if (!body.ok) return fail(c, body.status, body.code, body.message);
    const result = await deps.scoring.submit(body.value);
    switch (result.status) {
      case "invalid":
        return fail(c, 400, "INVALID_TRANSACTION", "the transaction is not valid", result.fields);
      case "conflict":
        return fail(c, 409, "DUPLICATE_TRANSACTION_ID", "this transaction_id was already used for a different transaction");
      case "duplicate":
        return c.json(toDecisionBody(result.decision, true), 200);
      case "recorded":
        return c.json(toDecisionBody(result.decision), 200);
    }
  });

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

  if (deps.reports) mountReports(app, deps.reports, requireKey(deps.apiKeys, "read", limiter));

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Fraud decision API", version: "1.0.0", description: "Score transactions before accepting them." },
  });

  return app;
}

export type Api = ReturnType<typeof createApi>;
