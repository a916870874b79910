import { z } from "zod";
import type { Transaction } from "../transaction/transaction.ts";

/**
 * A customer's long-run habits, kept in the profile for features that compare a transaction with
 * the customer's own history: at which hours they pay, how much they usually spend at each kind of
 * merchant, which of their recent attempts the engine held, and when they last sent money to
 * someone new. Counts are halved once they pass HABIT_HALVING, so old habits fade slowly and a
 * profile stays small however long the customer stays.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const HABIT_HALVING = 1_000;
export const MAX_CATEGORIES = 30;
export const MAX_FLAGGED = 1_000;
/** Fewer approved transactions than this and the customer has no usual hours yet. */
export const MIN_HOURS_HISTORY = 10;
/** Fewer approved transactions at a merchant category than this and there is no usual amount there. */
export const MIN_CATEGORY_HISTORY = 3;

const CategoryHabit = z.object({ category: z.string(), count: z.number().nonnegative(), sum: z.number().nonnegative() });
export type CategoryHabit = z.infer<typeof CategoryHabit>;

/** Profile fields; the defaults let profiles stored before them parse. */
export const HabitFields = {
  /** Approved transactions per UTC hour of day (24 counters, empty until the first). */
  hour_counts: z.array(z.number().nonnegative()).max(24).default([]),
  /** Approved transactions per merchant category: count and total; the most used kept. */
  categories: z.array(CategoryHabit).max(MAX_CATEGORIES).default([]),
  /** Epoch ms of the attempts of the last 24 hours that were not APPROVED (REVIEW or BLOCKED). */
  flagged_at: z.array(z.number().int()).default([]),
  /** Epoch ms of the latest TRANSFER attempt to a counterparty the customer had never sent to. */
  new_counterparty_transfer_at: z.number().int().nullable().default(null),
};

export interface Habits {
  hour_counts: number[];
  categories: CategoryHabit[];
  flagged_at: number[];
  new_counterparty_transfer_at: number | null;
}

export function noHabits(): Habits {
  return { hour_counts: [], categories: [], flagged_at: [], new_counterparty_transfer_at: null };
}

function utcHour(ms: number): number {
  return ((Math.floor(ms / HOUR_MS) % 24) + 24) % 24;
}

function learnHour(counts: readonly number[], hour: number): number[] {
  const next = counts.length === 24 ? [...counts] : new Array<number>(24).fill(0);
  next[hour]! += 1;
  let total = 0;
  for (const c of next) total += c;
  return total > HABIT_HALVING ? next.map((c) => c / 2) : next;
}

function learnCategory(categories: readonly CategoryHabit[], category: string, amount: number): CategoryHabit[] {
  const next = categories.map((c) => (c.category === category ? { category, count: c.count + 1, sum: c.sum + amount } : c));
  if (!categories.some((c) => c.category === category)) next.push({ category, count: 1, sum: amount });
  const halved = next.map((c) => (c.count > HABIT_HALVING ? { category: c.category, count: c.count / 2, sum: c.sum / 2 } : c));
  if (halved.length <= MAX_CATEGORIES) return halved;
  // Forget the least used category, never the one just learnt.
  let drop = -1;
  halved.forEach((c, i) => {
    if (c.category !== category && (drop < 0 || c.count < halved[drop]!.count)) drop = i;
  });
  return halved.filter((_, i) => i !== drop);
}

/**
 * The habits after one more transaction at `t` (epoch ms), the newest activity being `newest`.
 * Hours and categories learn from APPROVED transactions only; held attempts and transfers to new
 * counterparties are remembered whatever the decision.
 */
export function learnHabits(
  habits: Habits,
  tx: Pick<Transaction, "amount" | "merchant_category" | "type" | "counterparty_id">,
  t: number,
  newest: number,
  accepted: boolean,
  knownCounterparties: readonly string[],
): Habits {
  let flagged = habits.flagged_at.filter((at) => at > newest - DAY_MS);
  if (!accepted && t > newest - DAY_MS) {
    flagged.push(t);
    flagged.sort((a, b) => a - b);
    if (flagged.length > MAX_FLAGGED) flagged = flagged.slice(flagged.length - MAX_FLAGGED);
  }
  const toNewCounterparty = tx.type === "TRANSFER" && tx.counterparty_id !== undefined && !knownCounterparties.includes(tx.counterparty_id);
  return {
    hour_counts: accepted ? learnHour(habits.hour_counts, utcHour(t)) : habits.hour_counts,
    categories: accepted && tx.merchant_category !== undefined ? learnCategory(habits.categories, tx.merchant_category, tx.amount) : habits.categories,
    flagged_at: flagged,
    new_counterparty_transfer_at: toNewCounterparty ? Math.max(t, habits.new_counterparty_transfer_at ?? t) : habits.new_counterparty_transfer_at,
  };
}

export interface HabitFeatures {
  tx_flagged_24h: number;
  hour_share: number | null;
  category_tx_count: number;
  amount_to_category_avg: number | null;
  seconds_since_new_counterparty_transfer: number | null;
}

/** The habit features of a transaction at `t` (epoch ms), from the habits before it. */
export function habitFeatures(habits: Habits, tx: Pick<Transaction, "amount" | "merchant_category">, t: number): HabitFeatures {
  let flagged = 0;
  for (const at of habits.flagged_at) if (at <= t && at > t - DAY_MS) flagged += 1;

  let hourShare: number | null = null;
  if (habits.hour_counts.length === 24) {
    let total = 0;
    for (const c of habits.hour_counts) total += c;
    if (total >= MIN_HOURS_HISTORY) {
      const h = utcHour(t);
      const near = habits.hour_counts[(h + 23) % 24]! + habits.hour_counts[h]! + habits.hour_counts[(h + 1) % 24]!;
      hourShare = near / total;
    }
  }

  const category = tx.merchant_category === undefined ? undefined : habits.categories.find((c) => c.category === tx.merchant_category);
  const count = category?.count ?? 0;
  const average = category && count >= MIN_CATEGORY_HISTORY ? category.sum / count : 0;
  const since = habits.new_counterparty_transfer_at;
  return {
    tx_flagged_24h: flagged,
    hour_share: hourShare,
    category_tx_count: count,
    amount_to_category_avg: average > 0 ? tx.amount / average : null,
    seconds_since_new_counterparty_transfer: since === null || since > t ? null : (t - since) / 1000,
  };
}
