import { z } from "zod";
import { Text, type Transaction } from "../transaction/transaction.ts";

export const LIST_KINDS = ["allow", "block"] as const;
export const LIST_FIELDS = ["user_id", "device_id", "merchant_id", "ip_address"] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export type ListField = (typeof LIST_FIELDS)[number];

/** What an analyst or an import submits. */
export const ListEntryInput = z.strictObject({
  kind: z.enum(LIST_KINDS),
  field: z.enum(LIST_FIELDS),
  value: Text,
  reason: z.string().trim().min(1, "give a reason").max(500),
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
});
export type ListEntryInput = z.input<typeof ListEntryInput>;

export const ListEntry = ListEntryInput.safeExtend({
  id: z.number().int().positive(),
  created_at: z.iso.datetime({ offset: true }),
  created_by: z.string(),
});
export type ListEntry = z.infer<typeof ListEntry>;

export const ListMatch = z.object({
  kind: z.enum(LIST_KINDS),
  field: z.enum(LIST_FIELDS),
  value: z.string(),
  reason: z.string(),
  entry_id: z.number().int(),
});
export type ListMatch = z.infer<typeof ListMatch>;

/** The list entries that apply to a transaction at its time; a block entry wins over an allow entry. */
export function matchLists(tx: Transaction, entries: readonly ListEntry[], atMs: number): ListMatch | null {
  let allow: ListMatch | null = null;
  for (const e of entries) {
    if (e.expires_at !== null && Date.parse(e.expires_at) <= atMs) continue;
    if (tx[e.field] !== e.value) continue;
    const m: ListMatch = { kind: e.kind, field: e.field, value: e.value, reason: e.reason, entry_id: e.id };
    if (e.kind === "block") return m;
    allow ??= m;
  }
  return allow;
}

/** The values of a transaction the lists are looked up by. */
export function listKeys(tx: Transaction): Array<{ field: ListField; value: string }> {
  const keys: Array<{ field: ListField; value: string }> = [];
  for (const field of LIST_FIELDS) {
    const value = tx[field];
    if (value !== undefined) keys.push({ field, value });
  }
  return keys;
}
