import { CARD_RULESET } from "../../ruleset/card.ts";
import { MOBILE_MONEY_RULESET } from "../../ruleset/mobile-money.ts";
import type { RulesetContentInput } from "../../ruleset/ruleset.ts";
import type { TransactionInput } from "../../transaction/transaction.ts";
import type { CsvRecord } from "./csv.ts";

/** A labelled public data set: how one CSV row becomes one of our transactions. */
export interface EvalFormat {
  name: "paysim" | "sparkov";
  columns: readonly string[];
  /** The ruleset used when none is given. */
  ruleset: RulesetContentInput;
  /** Hours of day are read in this zone: the data set's own clock. */
  timeZone: string;
  /** Epoch ms of the row: rows are replayed in this order (ties keep file order). */
  timeOf(row: CsvRecord): number;
  /** The transaction as a client would send it; `rowNumber` counts data rows from 1. */
  toTransaction(row: CsvRecord, rowNumber: number): TransactionInput;
  isFraud(row: CsvRecord): boolean;
  /** Whose history the row belongs to (for splitting customers into halves). */
  customerOf(row: CsvRecord): string;
}

const HOUR_MS = 3_600_000;

/** PaySim's `step` is an hour of a 30-day simulation; step 1 is the first hour after this epoch. */
export const PAYSIM_EPOCH = Date.parse("2025-01-01T00:00:00.000Z");

function number(row: CsvRecord, column: string): number {
  const text = row(column).trim();
  const n = text === "" ? Number.NaN : Number(text);
  // Left as NaN: the transaction schema refuses it, and the row is reported as skipped.
  return n;
}

/** ISO time, or the raw text for the schema to refuse (the row is then reported as skipped). */
function iso(ms: number, raw: string): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `invalid time: ${raw}`;
}

const TRANSACTION_TYPES = new Set(["PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN", "DEBIT"]);

/**
 * PaySim (Lopez-Rojas et al., 2016): mobile money. `nameOrig` is the customer, `nameDest` the
 * counterparty (a merchant when it starts with "M", as PaySim names them), balances before and
 * after are the sender's. The destination's balances are not used: they are not part of our
 * transaction and PaySim leaves them at zero for merchants and many customers.
 */
export const PAYSIM: EvalFormat = {
  name: "paysim",
  columns: ["step", "type", "amount", "nameOrig", "oldbalanceOrg", "newbalanceOrig", "nameDest", "isFraud"],
  ruleset: MOBILE_MONEY_RULESET,
  timeZone: "UTC",
  timeOf: (row) => PAYSIM_EPOCH + number(row, "step") * HOUR_MS,
  toTransaction(row, rowNumber) {
    const dest = row("nameDest");
    const type = row("type");
    return {
      transaction_id: `paysim-${rowNumber}`,
      user_id: row("nameOrig"),
      amount: number(row, "amount"),
      ...(dest.startsWith("M") ? { merchant_id: dest } : { counterparty_id: dest }),
      ...(TRANSACTION_TYPES.has(type) ? { type: type as TransactionInput["type"] } : {}),
      balance_before: number(row, "oldbalanceOrg"),
      balance_after: number(row, "newbalanceOrig"),
      timestamp: iso(PAYSIM.timeOf(row), row("step")),
    };
  },
  isFraud: (row) => row("isFraud").trim() === "1",
  customerOf: (row) => row("nameOrig"),
};

/**
 * Sparkov ("Credit Card Transactions Fraud Detection", Kaggle): card payments. `cc_num` is the
 * customer, `trans_num` the transaction, `unix_time` the time (the data set's clock: its hours
 * are the cardholder's local hours, so they are read in UTC), `merch_lat`/`merch_long` where the
 * payment happened. Every merchant name starts with "fraud_" in this data set, legitimate or not:
 * the prefix is a quirk of the generator, not a label, and is dropped.
 */
export const SPARKOV: EvalFormat = {
  name: "sparkov",
  columns: ["cc_num", "merchant", "category", "amt", "trans_num", "unix_time", "merch_lat", "merch_long", "is_fraud"],
  ruleset: CARD_RULESET,
  timeZone: "UTC",
  timeOf: (row) => number(row, "unix_time") * 1000,
  toTransaction(row) {
    const lat = number(row, "merch_lat");
    const lon = number(row, "merch_long");
    return {
      transaction_id: row("trans_num"),
      user_id: row("cc_num"),
      amount: number(row, "amt"),
      merchant_id: row("merchant").replace(/^fraud_/, ""),
      merchant_category: row("category"),
      type: "PAYMENT",
      ...(Number.isFinite(lat) && Number.isFinite(lon) ? { latitude: lat, longitude: lon } : {}),
      timestamp: iso(SPARKOV.timeOf(row), row("unix_time")),
    };
  },
  isFraud: (row) => row("is_fraud").trim() === "1",
  customerOf: (row) => row("cc_num"),
};

export const EVAL_FORMATS = { paysim: PAYSIM, sparkov: SPARKOV } as const;

/**
 * Which half of the customers a customer falls in (FNV-1a of the id): a split that keeps each
 * customer's whole history on one side, for checking that figures hold on customers a ruleset
 * was not looked at with.
 */
export function customerHalf(customer: string): "A" | "B" {
  let h = 0x811c9dc5;
  for (let i = 0; i < customer.length; i++) {
    h ^= customer.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 2 === 0 ? "A" : "B";
}
