import { seededRandom } from "./scenario.ts";
import type { TransactionInput } from "../transaction/transaction.ts";

/**
 * Synthetic traffic for demos, load tests and benchmarks: one model of a customer base, drawn
 * from a seeded generator so that a run can be replayed exactly. Each customer `k` has a usual
 * amount level, device, city and kind of shop; everyday payments vary around the usual amount.
 * The same model is written as DuckDB SQL for history written straight to the lake.
 */

/** The usual amount of customer k is base + (k % levels) * step; no payment is below `least`. */
export interface AmountScale {
  base: number;
  step: number;
  levels: number;
  least: number;
}

/**
 * Amount scales: `lab` is the lab's units, which the demo ruleset's absolute thresholds are
 * written in; `xaf` is francs CFA, for demos in the deployment's currency.
 */
export const AMOUNT_SCALES = {
  lab: { base: 30, step: 7, levels: 40, least: 5 },
  xaf: { base: 2_000, step: 1_000, levels: 50, least: 100 },
} as const satisfies Record<string, AmountScale>;
export type AmountUnits = keyof typeof AMOUNT_SCALES;

export const SYNTHETIC_TYPES = ["PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN"] as const;
/** Merchants payments are spread over. */
export const SYNTHETIC_MERCHANTS = 200;
/** A customer's usual kind of shop: the k-th customer's is entry k % 4. */
export const SYNTHETIC_CATEGORIES = ["GROCERY", "AIRTIME", "TRANSPORT", "BILLS"] as const;
/** Home cities: the k-th customer lives in entry k % 8. */
export const SYNTHETIC_CITIES = [
  "Douala, CM",
  "Yaoundé, CM",
  "Garoua, CM",
  "Bamenda, CM",
  "Bafoussam, CM",
  "Libreville, GA",
  "Brazzaville, CG",
  "N'Djamena, TD",
] as const;
/** Where an unusual payment is made from: a customer's home region or abroad. */
export const TRAVEL_CITIES = [
  "Douala, CM",
  "Yaoundé, CM",
  "Garoua, CM",
  "Bamenda, CM",
  "Libreville, GA",
  "Brazzaville, CG",
  "N'Djamena, TD",
  "Lagos, NG",
  "Paris, FR",
] as const;

/** How widely everyday amounts spread around the usual one: a factor from e^-0.6 to e^0.6. */
const SPREAD = 1.2;

export function usualAmount(k: number, units: AmountUnits): number {
  const s = AMOUNT_SCALES[units];
  return s.base + (k % s.levels) * s.step;
}

/** An everyday amount for a customer whose usual is `usual`, from a uniform draw u in [0, 1). */
export function everydayAmount(usual: number, u: number, units: AmountUnits): number {
  return Math.max(AMOUNT_SCALES[units].least, Math.round(usual * Math.exp((u - 0.5) * SPREAD)));
}

/** usualAmount as a DuckDB expression over the customer number column `k`. */
export function usualAmountSql(k: string, units: AmountUnits): string {
  const s = AMOUNT_SCALES[units];
  return `${s.base} + (${k} % ${s.levels}) * ${s.step}`;
}

/** everydayAmount as a DuckDB expression. */
export function everydayAmountSql(usual: string, u: string, units: AmountUnits): string {
  return `greatest(${AMOUNT_SCALES[units].least}, round((${usual}) * exp((${u} - 0.5) * ${SPREAD})))`;
}

export interface SyntheticTrafficOptions {
  /** Names the transactions: `<runId>-<i>`. */
  runId: string;
  customers: number;
  units: AmountUnits;
}

/**
 * The i-th transaction of everyday traffic: a random customer paying about their usual amount
 * from their usual device and city. It carries no timestamp: the API stamps it on arrival. Draws
 * four numbers from `rnd`, in order: customer, amount, merchant, type.
 */
export function syntheticTransaction(i: number, rnd: () => number, options: SyntheticTrafficOptions): TransactionInput {
  const k = Math.floor(rnd() * options.customers);
  return {
    transaction_id: `${options.runId}-${i}`,
    user_id: `cust_${k}`,
    amount: everydayAmount(usualAmount(k, options.units), rnd(), options.units),
    merchant_id: `merchant_${Math.floor(rnd() * SYNTHETIC_MERCHANTS)}`,
    merchant_category: SYNTHETIC_CATEGORIES[k % SYNTHETIC_CATEGORIES.length]!,
    device_id: `device_${k}`,
    location: SYNTHETIC_CITIES[k % SYNTHETIC_CITIES.length]!,
    type: SYNTHETIC_TYPES[Math.floor(rnd() * SYNTHETIC_TYPES.length)]!,
  };
}

/** A transaction of mixed traffic, with the customer it is from and when it was sent. */
export interface TimedTransaction {
  customer: number;
  input: TransactionInput & { timestamp: string };
  /** The time the traffic has reached (ms): a retry is stamped before it. */
  now: number;
}

/** Mixed traffic's customers live in the first four home cities. */
const MIXED_HOMES = 4;

/**
 * Everyday traffic with its own clock and about one transaction in eight unusual, so that every
 * demo rule fires on some and most fire none: a large amount (4%), a rapid retry stamped seconds
 * before (3%), another city or country (3%), a new device (4%). Payments follow each other by up
 * to 20 s from `start`. Seeded: the same seed gives the same traffic.
 */
export function* mixedTraffic(count: number, seed: number, options: SyntheticTrafficOptions & { start: number }): Generator<TimedTransaction> {
  const rnd = seededRandom(seed);
  let now = options.start;
  for (let i = 0; i < count; i++) {
    const k = Math.floor(rnd() * options.customers);
    const usual = usualAmount(k, options.units);
    const odd = rnd();
    now += Math.floor(rnd() * 20_000);
    const input = {
      transaction_id: `${options.runId}-${i}`,
      user_id: `cust_${k}`,
      amount: Math.max(AMOUNT_SCALES[options.units].least, Math.round(usual * Math.exp((rnd() - 0.5) * SPREAD) * (odd < 0.04 ? 4 + rnd() * 30 : 1))),
      merchant_id: `merchant_${Math.floor(rnd() * SYNTHETIC_MERCHANTS)}`,
      merchant_category: SYNTHETIC_CATEGORIES[k % SYNTHETIC_CATEGORIES.length]!,
      device_id: odd > 0.96 ? `device_new_${i}` : `device_${k}`,
      location: odd > 0.93 && odd <= 0.96 ? TRAVEL_CITIES[Math.floor(rnd() * TRAVEL_CITIES.length)]! : SYNTHETIC_CITIES[k % MIXED_HOMES]!,
      type: SYNTHETIC_TYPES[Math.floor(rnd() * SYNTHETIC_TYPES.length)]!,
      timestamp: new Date(odd > 0.9 && odd <= 0.93 ? now - 19_000 : now).toISOString(),
    };
    yield { customer: k, input, now };
  }
}
