import "server-only";
import { Decision, Ruleset, type User } from "@fraud/core";
import { z } from "zod";
import { maskDeep, personalView, type CustomerLink } from "./personal-data";
import { platform } from "./runtime";

/** The filters of the live decisions page, from its URL. Bad values are dropped, not fatal. */
export const DecisionFilter = z.object({
  decision: z.enum(Ruleset.DECISIONS).optional().catch(undefined),
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
  decision: Decision.Decision["decision"];
  score: number;
  amount: number;
  currency: string;
  rules: string[];
  decided_at: string;
  latency_ms: number;
}

export function toRow(d: Decision.Decision): DecisionRow {
  return {
    ...Decision.summaryOf(d),
    latency_ms: d.latency_ms,
  };
}

/** A row of the live decisions list: the customer as the reader may see them, with their profile's link. */
export interface DecisionListRow extends Omit<DecisionRow, "user_id"> {
  customer: CustomerLink;
}

/** The live list's rows, for the page and its live updates alike, personal data as `user` may see it. */
export async function searchDecisions(user: User.User, filter: DecisionFilter, limit = 50): Promise<DecisionListRow[]> {
  const [found, view] = await Promise.all([
    (await platform()).decisions.search({
      decision: filter.decision,
      user_id: filter.user,
      rule_id: filter.rule?.toUpperCase(),
      min_amount: filter.min,
      max_amount: filter.max,
      limit,
    }),
    personalView(user),
  ]);
  return found.map((d) => {
    const { user_id, ...row } = toRow(d);
    return { ...row, customer: view.customer(user_id) };
  });
}

/**
 * A transaction's page: the decision, its case, alerts and the customer's active blocks, with
 * every text (transaction fields, values the rules read, case notes, list entries) as `user` may
 * see it. A test transaction (marked `test`) is shown when no real one has its id; it has no case
 * and no alert.
 */
export async function transactionDetail(user: User.User, id: string) {
  const p = await platform();
  const decision = (await p.decisions.get(id)) ?? (await p.testDecisions.get(id));
  if (!decision) return undefined;
  const real = decision.test !== true;
  const [reviewCase, history, alerts, listEntries, live, view] = await Promise.all([
    real ? p.reviews.get(id) : undefined,
    real ? p.reviews.history(id) : [],
    real ? p.alerts.forTransaction(id) : [],
    p.lists.find([{ field: "user_id", value: decision.user_id }]),
    p.rules.get(decision.ruleset_version),
    personalView(user),
  ]);
  const now = Date.now();
  const activeBlocks = listEntries.filter((e) => e.kind === "block" && (e.expires_at === null || Date.parse(e.expires_at) > now));
  return {
    ...maskDeep({ decision, reviewCase, history, alerts, activeBlocks }, view.show),
    customer: view.customer(decision.user_id),
    thresholds: live?.thresholds ?? null,
  };
}
