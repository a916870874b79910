import { z } from "zod";
import type { Decision } from "../decision/decision.ts";
import { Transaction } from "../transaction/transaction.ts";

export type LakeType = "string" | "double" | "bigint" | "boolean" | "timestamp" | "array<string>";
export interface LakeColumn {
  name: string;
  type: LakeType;
}

function fromTransactionSchema(): LakeColumn[] {
  const json = z.toJSONSchema(Transaction, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, { type?: string; format?: string; anyOf?: unknown[] }>;
  };
  return Object.entries(json.properties).map(([name, p]) => ({
    name,
    type: p.type === "number" ? "double" : p.format === "date-time" || name === "timestamp" ? "timestamp" : "string",
  }));
}

/** Columns of the decision lake (`raw/`), partitioned by `dt` (YYYY-MM-DD, UTC). Generated from
 * the transaction schema so the local Parquet files, the Glue table and the reports agree. */
export const LAKE_COLUMNS: readonly LakeColumn[] = [
  ...fromTransactionSchema(),
  { name: "decision", type: "string" },
  { name: "score", type: "bigint" },
  { name: "rules_fired", type: "array<string>" },
  { name: "ruleset_version", type: "bigint" },
  { name: "list_match", type: "string" },
  { name: "fallback_reason", type: "string" },
  { name: "risk_level", type: "string" },
  { name: "latency_ms", type: "double" },
  { name: "decided_at", type: "timestamp" },
  // The profile as it was, so a backtest can rebuild it (risk_level above is also profile_before's).
  { name: "account_created", type: "timestamp" },
  // The shadow ruleset's outcome, null when none ran.
  { name: "shadow_version", type: "bigint" },
  { name: "shadow_decision", type: "string" },
  { name: "shadow_score", type: "bigint" },
  { name: "shadow_rules_fired", type: "array<string>" },
];

export const LAKE_PARTITION = { name: "dt", type: "string" } as const;

/**
 * Review labels as the AWS lake keeps them for Athena: one JSON object per labelled transaction
 * under `labels/` (written again when the case is labelled again, so the latest label wins), read
 * by the Glue table `labels` with these columns.
 */
export const LABELS_PREFIX = "labels/";
export const LABEL_COLUMNS = [
  { name: "transaction_id", type: "string" },
  { name: "label", type: "string" },
  { name: "labeled_at", type: "string" },
] as const;

export type LakeValue = string | number | boolean | string[] | null;
export type LakeRecord = Record<string, LakeValue>;

/** The lake row of a decision, and its partition (the transaction's UTC day). */
export function toLakeRecord(d: Decision): { dt: string; record: LakeRecord } {
  const tx = d.transaction as Record<string, unknown>;
  const record: LakeRecord = {};
  for (const col of LAKE_COLUMNS) {
    const v = tx[col.name];
    record[col.name] = v === undefined ? null : (v as LakeValue);
  }
  record.decision = d.decision;
  record.score = d.score;
  record.rules_fired = d.rules.map((r) => r.id);
  record.ruleset_version = d.ruleset_version;
  record.list_match = d.list_match ? `${d.list_match.kind}:${d.list_match.field}` : null;
  record.fallback_reason = d.fallback_reason;
  record.risk_level = d.profile_before.risk_level;
  record.latency_ms = d.latency_ms;
  record.decided_at = d.decided_at;
  record.account_created = d.profile_before.account_created;
  record.shadow_version = d.shadow?.version ?? null;
  record.shadow_decision = d.shadow?.decision ?? null;
  record.shadow_score = d.shadow?.score ?? null;
  record.shadow_rules_fired = d.shadow?.rules ?? null;
  return { dt: d.transaction.timestamp.slice(0, 10), record };
}
