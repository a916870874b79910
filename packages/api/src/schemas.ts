import { z } from "@hono/zod-openapi";
import { NOT_READY_REASONS, Ruleset, Transaction } from "@fraud/core";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string().optional(),
      fields: z.record(z.string(), z.array(z.string())).optional(),
    }),
  })
  .openapi("Error");

const FiredRuleBody = z.object({
  id: z.string(),
  name: z.string(),
  score: z.number(),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});

export const DecisionBody = z
  .object({
    transaction_id: z.string(),
    decision: z.enum(Ruleset.DECISIONS),
    score: z.number().int(),
    rules: z.array(FiredRuleBody),
    list_match: z.object({ kind: z.string(), field: z.string(), reason: z.string() }).nullable(),
    fallback_reason: z.string().nullable(),
    ruleset_version: z.number().int(),
    latency_ms: z.number(),
    duplicate: z.boolean().optional(),
  })
  .openapi("Decision");

export const TransactionBody = Transaction.TransactionInput;

export const HealthBody = z.object({ status: z.enum(["ok", "degraded"]) }).openapi("Health");

export const ReadyBody = z.object({ status: z.enum(["ready", "not_ready"]), reason: z.enum(NOT_READY_REASONS).optional() }).openapi("Ready");
