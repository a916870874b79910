import { z } from "zod";

/**
 * What sign-in attempts are counted against: the user name tried (slows guessing one account's
 * password from many addresses) and the address they come from (slows trying many accounts from
 * one address).
 */
export const THROTTLE_KINDS = ["user", "address"] as const;
export type ThrottleKind = (typeof THROTTLE_KINDS)[number];
export interface ThrottleKey {
  kind: ThrottleKind;
  id: string;
}

/**
 * How sign-in attempts are slowed down. After the free failures, each further attempt waits
 * 1 s after the last one, then 2 s, 4 s..., doubling with each failure up to `maxWaitMs`: the
 * owner of an account someone is guessing at waits at most that long, never an unbounded
 * lock-out, while a guesser gets about 100 tries a day. An address gets more free failures than a
 * user name, since several people may share one (an office behind one router).
 */
export const SIGN_IN_THROTTLE = {
  free: { user: 5, address: 20 } satisfies Record<ThrottleKind, number>,
  firstWaitMs: 1_000,
  maxWaitMs: 15 * 60_000,
  /** A count is forgotten this long after its key's last attempt, so the store holds a day's worth. */
  keepMs: 24 * 3_600_000,
} as const;

/** One key's count as stored: attempts not known to be right, and when the last one was made. */
export const ThrottleEntry = z.object({ failures: z.number().int().nonnegative(), last_at: z.iso.datetime({ offset: true }) });
export type ThrottleEntry = z.infer<typeof ThrottleEntry>;

/** The stored form of a key: kinds never share an id space. */
export function throttleKeyId(key: ThrottleKey): string {
  return `${key.kind}:${key.id}`;
}

/** Whether a stored entry still counts at `now`, or is to be forgotten. */
export function throttleEntryLive(entry: ThrottleEntry, now: Date): boolean {
  return now.getTime() < Date.parse(entry.last_at) + SIGN_IN_THROTTLE.keepMs;
}

/** How long a key with this count must still wait at `now` before an attempt is allowed (0: now). */
export function throttleWaitMs(kind: ThrottleKind, entry: ThrottleEntry | undefined, now: Date): number {
  if (!entry || !throttleEntryLive(entry, now)) return 0;
  const over = entry.failures - SIGN_IN_THROTTLE.free[kind];
  if (over < 0) return 0;
  const wait = Math.min(SIGN_IN_THROTTLE.firstWaitMs * 2 ** over, SIGN_IN_THROTTLE.maxWaitMs);
  return Math.max(0, Date.parse(entry.last_at) + wait - now.getTime());
}

/** When an entry may be removed from the store (its last attempt plus `keepMs`). */
export function throttleExpiry(lastAt: Date): Date {
  return new Date(lastAt.getTime() + SIGN_IN_THROTTLE.keepMs);
}
