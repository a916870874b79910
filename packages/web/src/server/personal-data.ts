import "server-only";
import { Privacy, User } from "@fraud/core";
import type { ReportCell, ReportOutput } from "./analytics";
import { runtime } from "./runtime";

/*
 * The one rule for personal data in the dashboard: a person without `personal.read` (a viewer)
 * sees emails and phone numbers masked, on every page, in every live update and export, and in
 * every link. The server's data functions apply it before anything leaves for the browser, so no
 * page can forget it.
 */

const asStored = (text: string) => text;

/** How this person sees emails and phone numbers: as stored, or masked for a viewer. */
export function personalData(user: User.User): (text: string) => string {
  return User.can(user.role, "personal.read") ? asStored : Privacy.maskPersonalData;
}

/** Every string in a value (objects and lists walked), except under `keep` keys, as this person may see it. */
export function maskDeep<T>(value: T, show: (text: string) => string, keep: ReadonlySet<string> = KEEP): T {
  if (show === asStored) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return show(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keep.has(k) ? x : walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * Transaction ids name a payment, not a person, and the dashboard's links are made of them; a
 * rule's expression is code the risk team wrote, whose long numbers are thresholds.
 */
const KEEP: ReadonlySet<string> = new Set(["transaction_id", "expression"]);

/** A customer as a page shows it: the id as this person may read it, and the link to their profile. */
export interface CustomerLink {
  label: string;
  href: string;
}

/**
 * Personal data as one person may see it, with links to customers' profiles: an analyst's link
 * holds the customer id; a viewer's holds the id sealed (CustomerRefs), so that it opens the same
 * profile but cannot be read from the URL.
 */
export interface PersonalView {
  show(text: string): string;
  masked: boolean;
  customer(userId: string): CustomerLink;
}

let refs: { secret: string; refs: Privacy.CustomerRefs } | undefined;
async function customerRefs(): Promise<Privacy.CustomerRefs> {
  const secret = (await runtime()).secrets.session_secret;
  if (refs?.secret !== secret) refs = { secret, refs: new Privacy.CustomerRefs(secret) };
  return refs.refs;
}

export async function personalView(user: User.User): Promise<PersonalView> {
  const show = personalData(user);
  const masked = show !== asStored;
  const sealed = masked ? await customerRefs() : undefined;
  return {
    show,
    masked,
    customer: (userId) => ({ label: show(userId), href: `/profiles/${encodeURIComponent(sealed ? sealed.seal(userId) : userId)}` }),
  };
}

/** The customer id a profile URL names: a sealed reference from a viewer's link, or the id itself. */
export async function customerOfProfileUrl(segment: string): Promise<string> {
  const id = decodeURIComponent(segment);
  return (await customerRefs()).open(id) ?? id;
}

/** A report's text cells as this person may see them: the table and its CSV export alike. */
export function reportFor(user: User.User, output: ReportOutput): ReportOutput {
  const show = personalData(user);
  if (show === asStored) return output;
  const cell = (c: ReportCell): ReportCell => (typeof c === "string" ? show(c) : Array.isArray(c) ? c.map(cell) : c);
  return { ...output, rows: output.rows.map((r) => r.map(cell)) };
}
