import { z } from "zod";
import { defaultSettings, type Settings } from "./settings.ts";

export const TRANSACTION_TYPES = ["PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN", "DEBIT"] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** Identifiers and names: non-empty, at most 128 characters, no control characters, valid Unicode. */
export const Text = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters")
  .refine((s) => s.isWellFormed(), "must be valid Unicode");

const Money = z.number().finite().nonnegative();

/**
 * A transaction as a client sends it. This is the one schema for the API, the dashboard, the
 * stores, the lake and the tests. Unknown fields are refused.
 */
const TransactionFields = z.strictObject({
    transaction_id: Text.optional(),
    user_id: Text,
    amount: z.number().finite().positive("must be greater than 0"),
    currency: z
      .string()
      .refine((c) => CURRENCIES.has(c), "must be an ISO 4217 currency code such as XAF")
      .optional(),
    merchant_id: Text.optional(),
    merchant_category: Text.optional(),
    device_id: Text.optional(),
    location: Text.optional(),
    ip_address: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }).optional(),
    timestamp: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone" }).optional(),
    type: z.enum(TRANSACTION_TYPES).optional(),
    counterparty_id: Text.optional(),
    balance_before: Money.optional(),
    balance_after: Money.optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
});

export const TransactionInput = TransactionFields.superRefine(
  (tx, ctx) => {
    if (tx.merchant_id === undefined && tx.counterparty_id === undefined) {
      ctx.addIssue({ code: "custom", path: ["merchant_id"], message: "merchant_id or counterparty_id is required" });
    }
    if ((tx.latitude === undefined) !== (tx.longitude === undefined)) {
      ctx.addIssue({ code: "custom", path: ["latitude"], message: "latitude and longitude go together" });
    }
  },
  // Also when other fields fail, so that one answer names every failing field; these checks only
  // ask whether a field is present, which is safe on any object.
  { when: (payload) => typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value) },
);
export type TransactionInput = z.infer<typeof TransactionInput>;

/** A transaction after validation: id, currency and timestamp (ISO 8601, UTC) are always present. */
export const Transaction = TransactionFields.extend({
  transaction_id: Text,
  currency: z.string(),
  timestamp: z.string(),
});
export type Transaction = z.infer<typeof Transaction>;

export type FieldErrors = Record<string, string[]>;

export type ParseResult = { ok: true; transaction: Transaction } | { ok: false; fields: FieldErrors };

function fieldErrors(error: z.ZodError): FieldErrors {
  // A Map, not `{}`: an unknown field may be called "constructor" or "__proto__".
  const fields = new Map<string, string[]>();
  const add = (key: string, message: string) => fields.set(key, [...(fields.get(key) ?? []), message]);
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") for (const k of issue.keys) add(k, "is not a known field");
    else add(issue.path.map(String).join(".") || "_", issue.message);
  }
  return Object.fromEntries(fields);
}

/**
 * Validates a transaction and applies the deployment's defaults. Never throws on bad input:
 * every failing field is named in the result.
 */
export function parseTransaction(
  input: unknown,
  options: { settings?: Settings; now?: Date } = {},
): ParseResult {
  const settings = options.settings ?? defaultSettings;
  const now = options.now ?? new Date();
  const parsed = TransactionInput.safeParse(input);
  const fields: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error);
  // Limits that depend on the deployment, checked on the raw fields too so that one answer names
  // every failing field.
  const raw = (input !== null && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const tooBig = (v: unknown) => typeof v === "number" && v > settings.maxAmount;
  for (const key of ["amount", "balance_before", "balance_after"] as const) {
    if (tooBig(raw[key]) && !fields[key]) fields[key] = [`must be at most ${settings.maxAmount}`];
  }
  let timestamp = now.toISOString();
  if (typeof raw.timestamp === "string" && !fields.timestamp) {
    const at = new Date(raw.timestamp);
    if (Number.isNaN(at.getTime())) fields.timestamp = ["is not a valid date"];
    else if (at.getTime() - now.getTime() > settings.maxFutureSkewSeconds * 1000) {
      fields.timestamp = [`must not be more than ${settings.maxFutureSkewSeconds} seconds in the future`];
    } else if (at.getUTCFullYear() < 2000) fields.timestamp = ["must be after the year 2000"];
    else timestamp = at.toISOString();
  }
  if (!parsed.success || Object.keys(fields).length > 0) return { ok: false, fields };
  const tx = parsed.data;
  return {
    ok: true,
    transaction: {
      ...tx,
      transaction_id: tx.transaction_id ?? crypto.randomUUID(),
      currency: tx.currency ?? settings.currency,
      timestamp,
    },
  };
}
