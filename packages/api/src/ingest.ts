import { type Decision, type DecisionCounters, type DecisionTiming, Errors, type Ruleset, type User } from "@fraud/core";
import { parseJsonBody, readBody, type BodySource } from "./body.ts";
import type { RateLimiter } from "./rate-limit.ts";

export type ApiStatus = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

/** An answer of the API, whatever carries it (Hono on Lambda and in tests, Node's HTTP server locally). */
export interface ApiAnswer {
  status: ApiStatus;
  body: unknown;
  headers?: Record<string, string>;
  /** The outcome, when the answer is a decision: for the request's log line. */
  decision?: Ruleset.DecisionOutcome;
}

/**
 * An answer whose body is already JSON (UTF-8 bytes): the scoring thread's, written to the client
 * as it is rather than parsed and serialized again.
 */
export interface JsonAnswer {
  status: ApiStatus;
  json: Uint8Array;
  decision?: Ruleset.DecisionOutcome;
}

/**
 * Something that answers a transaction's body as answerTransaction does, somewhere else: the local
 * server's scoring thread. Its answers already hold their JSON.
 */
export interface TransactionAnswerer {
  /** `traceparent`: the request's span, when this process traces, for the decision's spans to hang under. */
  answer(bytes: Uint8Array, traceparent?: string): Promise<JsonAnswer>;
}

/** Runs the scoring of one transaction inside its trace (the local server, when it traces): see Tracing.decision in packages/server. */
export type TraceDecision = <A extends { status: number; decision?: string }>(
  parent: string | undefined,
  run: (timing: DecisionTiming) => Promise<A>,
) => Promise<A>;

export interface ApiLogger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export const consoleLogger: ApiLogger = {
  error: (message, data) => console.error(JSON.stringify({ level: "error", message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: "warn", message, ...data })),
};

export function failure(status: Exclude<ApiStatus, 200>, code: string, message?: string, fields?: Record<string, string[]>): ApiAnswer {
  return { status, body: { error: { code, ...(message ? { message } : {}), ...(fields ? { fields } : {}) } } };
}

/** What a client sees of a decision: the outcome and its reasons, not the internal features. */
export function toDecisionBody(d: Decision.Decision, duplicate = false) {
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

/** The API key of a request, or the answer that refuses it (401, 403, 429). */
export async function authenticate(
  apiKeys: User.ApiKeyStore,
  scope: User.ApiKeyScope,
  limiter: RateLimiter | undefined,
  authorization: string | undefined,
): Promise<{ ok: true; key: User.ApiKeyInfo } | { ok: false; answer: ApiAnswer }> {
  // Up to 4 KiB: a JWT from an identity provider is longer than an API key.
  const match = /^Bearer\s+(\S{1,4096})$/i.exec(authorization ?? "");
  const key = match ? await apiKeys.verify(match[1]!) : undefined;
  if (!key) return { ok: false, answer: failure(401, "UNAUTHORIZED", "send a valid API key as 'Authorization: Bearer <key>'") };
  if (!key.scopes.includes(scope)) return { ok: false, answer: failure(403, "FORBIDDEN", `this API key has no '${scope}' scope`) };
  const wait = limiter?.take(key.id) ?? 0;
  if (wait > 0)
    return {
      ok: false,
      answer: { ...failure(429, "RATE_LIMITED", "too many requests for this API key; retry later"), headers: { "retry-after": String(wait) } },
    };
  return { ok: true, key };
}

/** 503 when the store cannot write, 500 for a bug: logged in full, never shown to the client. */
export function errorAnswer(err: unknown, path: string, logger: ApiLogger): ApiAnswer {
  if (err instanceof Errors.UnavailableError) {
    logger.error("store unavailable: request refused with 503", { path, cause: String((err.cause as Error | undefined)?.message ?? err.message) });
    return failure(503, "UNAVAILABLE", "the service cannot record decisions right now; retry later");
  }
  logger.error("unhandled error", { path, error: (err as Error)?.stack ?? String(err) });
  return failure(500, "INTERNAL", "internal error");
}

export interface IngestRequest {
  authorization: string | undefined;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: BodySource;
  /** The request's span (W3C traceparent) when this process traces. */
  traceparent?: string;
}

export interface IngestDeps {
  /** Scores in this process, or hands the body to what answers it (the local server's scoring thread). */
  scoring: Pick<Decision.Scoring, "submit"> | TransactionAnswerer;
  apiKeys: User.ApiKeyStore;
  limiter?: RateLimiter;
  bodyLimitBytes: number;
  logger: ApiLogger;
  /** Counts the decisions scored in this process (the scoring thread counts its own). */
  counters?: DecisionCounters;
  traceDecision?: TraceDecision;
}

/** What the process observes of the decisions it answers: its counters (GET /metrics), and a decision's timing for its trace. */
export interface DecisionObservers {
  counters?: DecisionCounters;
  timing?: DecisionTiming;
}

/**
 * The answer to a transaction's body, once the caller is authenticated and the body read: strict
 * JSON (400), then scored and recorded (200, 400 naming every failing field, 409). Never throws:
 * 503 when the store cannot write, 500 for a bug.
 */
export async function answerTransaction(
  scoring: Pick<Decision.Scoring, "submit">,
  logger: ApiLogger,
  bytes: Uint8Array,
  observers: DecisionObservers = {},
): Promise<ApiAnswer> {
  try {
    const body = parseJsonBody(bytes);
    if (!body.ok) return failure(body.status, body.code, body.message);
    const result = await scoring.submit(body.value, observers.timing);
    switch (result.status) {
      case "invalid":
        return failure(400, "INVALID_TRANSACTION", "the transaction is not valid", result.fields);
      case "conflict":
        return failure(409, "DUPLICATE_TRANSACTION_ID", "this transaction_id was already used for a different transaction");
      case "duplicate":
        return { status: 200, body: toDecisionBody(result.decision, true), decision: result.decision.decision };
      case "recorded":
        observers.counters?.count(result.decision);
        return { status: 200, body: toDecisionBody(result.decision), decision: result.decision.decision };
    }
  } catch (err) {
    return errorAnswer(err, "/api/transactions", logger);
  }
}

/** POST /api/transactions: authenticate, read the body, score, answer. Never throws. */
export function createIngest(deps: IngestDeps): (req: IngestRequest) => Promise<ApiAnswer | JsonAnswer> {
  const { scoring } = deps;
  const { counters, traceDecision } = deps;
  const untraced = { counters };
  const answer =
    "answer" in scoring
      ? (bytes: Uint8Array, traceparent: string | undefined) => scoring.answer(bytes, traceparent)
      : traceDecision
        ? (bytes: Uint8Array, traceparent: string | undefined) =>
            traceDecision(traceparent, (timing) => answerTransaction(scoring, deps.logger, bytes, { counters, timing }))
        : (bytes: Uint8Array) => answerTransaction(scoring, deps.logger, bytes, untraced);
  return async (req) => {
    try {
      const auth = await authenticate(deps.apiKeys, "ingest", deps.limiter, req.authorization);
      if (!auth.ok) return auth.answer;
      const read = await readBody(req, deps.bodyLimitBytes);
      if (!read.ok) return failure(read.status, read.code, read.message);
      return await answer(read.bytes, req.traceparent);
    } catch (err) {
      return errorAnswer(err, "/api/transactions", deps.logger);
    }
  };
}
