import "server-only";
import { DECISIONS, summaryOf, type Decision } from "@fraud/core";
import { z } from "zod";
import { platform } from "./runtime";

/** The filters of the live decisions page, from its URL. Bad values are dropped, not fatal. */
export const DecisionFilter = z.object({
  decision: z.enum(DECISIONS).optional().catch(undefined),
  user: z.string().trim().max(128).optional().catch(undefined),
  rule: z.string().trim().max(64).optional().catch(undefined),
  min: z.coerce.number().nonnegative().optional().catch(undefined),
  max: z.coerce.number().nonnegative().optional().catch(undefined),
});
export type DecisionFilter = z.infer<typeof DecisionFilter>;

export function parseFilter(params: Record<string, string | string[] | undefined> | URLSearchParams): DecisionFilter {
  const get = (k: string) => {
    const v = params instanceof URLSearchParams ? params.get(k) : params[k];
    const s = Array.isArray(v) ? v[0] : v;
    return s === undefined || s === null || s.trim() === "" ? undefined : s;
  };
  return DecisionFilter.parse({ decision: get("decision"), user: get("user"), rule: get("rule"), min: get("min"), max: get("max") });
}

/** What a row of the live list shows: no features, no profile. */
export interface DecisionRow {
  transaction_id: string;
  user_id: string;
  decision: Decision["decision"];
  score: number;
  amount: number;
  currency: string;
  rules: string[];
  decided_at: string;
  latency_ms: number;
}

export function toRow(d: Decision): DecisionRow {
  return {
    ...summaryOf(d),
    latency_ms: d.latency_ms,
  };
}

export async function searchDecisions(filter: DecisionFilter, limit = 50): Promise<DecisionRow[]> {
  const found = await (await platform()).decisions.search({
    decision: filter.decision,
    user_id: filter.user,
    rule_id: filter.rule?.toUpperCase(),
    min_amount: filter.min,
    max_amount: filter.max,
    limit,
  });
  return found.map(toRow);
}

/**
 * A decision with what surrounds it: its case, alerts and the customer's active blocks. A test
 * transaction (marked `test`) is shown when no real one has its id; it has no case and no alert.
 */
export async function transactionDetail(id: string) {
  const p = await platform();
  const decision = (await p.decisions.get(id)) ?? (await p.testDecisions.get(id));
  if (!decision) return undefined;
  const real = decision.test !== true;
  const [reviewCase, history, alerts, listEntries, live] = await Promise.all([
    real ? p.reviews.get(id) : undefined,
    real ? p.reviews.history(id) : [],
    real ? p.alerts.forTransaction(id) : [],
    p.lists.find([{ field: "user_id", value: decision.user_id }]),
    p.rules.get(decision.ruleset_version),
  ]);
  const now = Date.now();
  const activeBlocks = listEntries.filter((e) => e.kind === "block" && (e.expires_at === null || Date.parse(e.expires_at) > now));
  return { decision, reviewCase, history, alerts, activeBlocks, thresholds: live?.thresholds ?? null };
}
