import { z } from "zod";
import { fieldErrors, fieldIssues, type FieldErrors, type FieldIssue } from "../errors/errors.ts";
import { defaultSettings, type Settings } from "../settings/settings.ts";

export const TRANSACTION_TYPES = ["PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN", "DEBIT"] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

const CONTROL_CHARACTER = /\p{Cc}/u;

/** Identifiers and names: non-empty, at most 128 characters, no control characters, valid Unicode. */
export const Text = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .refine((s) => !CONTROL_CHARACTER.test(s), { message: "must not contain control characters", params: { key: "control_characters" } })
  .refine((s) => s.isWellFormed(), { message: "must be valid Unicode", params: { key: "unicode" } });

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
    .refine((c) => CURRENCIES.has(c), { message: "must be an ISO 4217 currency code such as XAF", params: { key: "currency" } })
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

type TransactionFields = z.infer<typeof TransactionFields>;

/**
 * The checks across fields. They run also when other fields fail, so that one answer names every
 * failing field; they only ask whether a field is present, which is safe on any object. (A plain
 * check that pushes its issues rather than `superRefine`: `superRefine` adds an `addIssue`
 * function to every parse's state, and that made V8 keep about 400 bytes per parse until a full
 * collection.)
 */
const acrossFields: z.core.$ZodCheck<TransactionFields> = new z.core.$ZodCheck({
  check: "custom",
  when: (payload) => typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value),
});
acrossFields._zod.check = (payload) => {
  const tx = payload.value;
  const fail = (field: keyof TransactionFields, message: string, key: string) =>
    payload.issues.push({ code: "custom", input: tx, inst: acrossFields, path: [field], message, params: { key } });
  if (tx.merchant_id === undefined && tx.counterparty_id === undefined)
    fail("merchant_id", "merchant_id or counterparty_id is required", "merchant_or_counterparty");
  if ((tx.latitude === undefined) !== (tx.longitude === undefined)) fail("latitude", "latitude and longitude go together", "latitude_longitude");
};

export const TransactionInput = TransactionFields.check(acrossFields);
export type TransactionInput = z.infer<typeof TransactionInput>;

/** A transaction after validation: id, currency and timestamp (ISO 8601, UTC) are always present. */
export const Transaction = TransactionFields.extend({
  transaction_id: Text,
  currency: z.string(),
  timestamp: z.string(),
});
export type Transaction = z.infer<typeof Transaction>;

export type ParseResult = { ok: true; transaction: Transaction } | { ok: false; fields: FieldErrors; issues: FieldIssue[] };

/**
 * Validates a transaction and applies the deployment's defaults. Never throws on bad input:
 * every failing field is named in the result.
 */
export function parseTransaction(input: unknown, options: { settings?: Settings; now?: Date } = {}): ParseResult {
  const settings = options.settings ?? defaultSettings;
  const now = options.now ?? new Date();
  const parsed = TransactionInput.safeParse(input);
  const issues = parsed.success ? [] : fieldIssues(parsed.error);
  const failing = (field: string) => issues.some((i) => i.field === field);
  // Limits that depend on the deployment, checked on the raw fields too so that one answer names
  // every failing field.
  const raw = (input !== null && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const tooBig = (v: unknown) => typeof v === "number" && v > settings.maxAmount;
  for (const key of ["amount", "balance_before", "balance_after"] as const) {
    if (tooBig(raw[key]) && !failing(key)) {
      issues.push({
        field: key,
        code: "too_big",
        message: `must be at most ${settings.maxAmount}`,
        params: { origin: "number", maximum: settings.maxAmount, inclusive: "true" },
      });
    }
  }
  let timestamp = now.toISOString();
  if (typeof raw.timestamp === "string" && !failing("timestamp")) {
    const at = new Date(raw.timestamp);
    const seconds = settings.maxFutureSkewSeconds;
    if (Number.isNaN(at.getTime())) issues.push({ field: "timestamp", code: "invalid_format", message: "is not a valid date", params: { format: "datetime" } });
    else if (at.getTime() - now.getTime() > seconds * 1000) {
      issues.push({
        field: "timestamp",
        code: "custom",
        message: `must not be more than ${seconds} seconds in the future`,
        params: { key: "future_timestamp", seconds },
      });
    } else if (at.getUTCFullYear() < 2000)
      issues.push({ field: "timestamp", code: "custom", message: "must be after the year 2000", params: { key: "before_2000" } });
    else timestamp = at.toISOString();
  }
  if (!parsed.success || issues.length > 0) return { ok: false, fields: fieldErrors(issues), issues };
  const tx = parsed.data;
  // Object.assign, not `{ ...tx, more }`: on Node 20 a spread followed by more properties keeps
  // about 500 bytes per call alive until a full collection (docs/decisions/010-allocations-that-die-young.md).
  const transaction: Transaction = Object.assign({}, tx, {
    transaction_id: tx.transaction_id ?? crypto.randomUUID(),
    currency: tx.currency ?? settings.currency,
    timestamp,
  });
  return { ok: true, transaction };
}
