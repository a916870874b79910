import "server-only";
import { type Audit, Profile, type User } from "@fraud/core";
import { cache } from "react";
import { customerOfProfileUrl, maskDeep, personalView, type CustomerLink } from "./personal-data";
import { platform } from "./runtime";

export interface ProfileListRow {
  customer: CustomerLink;
  profile: Profile.Profile;
  transaction_count_30d: number;
  avg_transaction_30d: number;
}

/**
 * The customers whose id or email contains `q`, newest first. A viewer's search matches a whole
 * id or a whole email only: results that matched on part of a masked phone number would tell
 * the viewer its digits, a few searches at a time.
 */
export async function searchProfiles(user: User.User, q: string, limit = 100): Promise<ProfileListRow[]> {
  const [p, view] = await Promise.all([platform(), personalView(user)]);
  const needle = q.toLowerCase();
  const found =
    view.masked && q !== ""
      ? (await p.profiles.search(q, 500)).filter((x) => x.user_id === q || x.email?.toLowerCase() === needle).slice(0, limit)
      : await p.profiles.search(q, limit);
  const now = Date.now();
  return found.map((profile) => {
    const s = Profile.summary30d(profile, now);
    return {
      customer: view.customer(profile.user_id),
      profile: maskDeep(profile, view.show),
      transaction_count_30d: s.transaction_count_30d,
      avg_transaction_30d: s.avg_transaction_30d,
    };
  });
}

export interface ProfileDetail {
  customer: CustomerLink;
  /** As the reader may see it: masked for a viewer, who cannot edit it. */
  profile: Profile.Profile;
  history: Audit.AuditEntry[];
  decisions: Array<{
    transaction_id: string;
    decided_at: string;
    amount: number;
    currency: string;
    decision: "APPROVED" | "REVIEW" | "BLOCKED";
    score: number;
  }>;
}

/** A customer's page, from the segment of its URL (the id, or a viewer's sealed reference); read once per request. */
export const profileDetail = cache(async (user: User.User, segment: string): Promise<ProfileDetail | undefined> => {
  const [p, view, id] = await Promise.all([platform(), personalView(user), customerOfProfileUrl(segment)]);
  const profile = await p.profiles.get(id);
  if (!profile) return undefined;
  const [history, decisions] = await Promise.all([
    p.auditTrail.list({ entity: "profile", entity_id: id, limit: 50 }),
    p.decisions.search({ user_id: id, limit: 10 }),
  ]);
  return {
    customer: view.customer(id),
    profile: maskDeep(profile, view.show),
    history: maskDeep(history, view.show),
    decisions: decisions.map((d) => ({
      transaction_id: d.transaction_id,
      decided_at: d.decided_at,
      amount: d.transaction.amount,
      currency: d.transaction.currency,
      decision: d.decision,
      score: d.score,
    })),
  };
});
