import { randomBytes } from "node:crypto";
import { z } from "zod";
import { VisibleError } from "./errors.ts";
import type { Actor, SignInThrottle, UserStore } from "./ports.ts";
import { PasswordChange, wrongPassword, type User } from "./users.ts";

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

/**
 * The keys an attempt counts against: the user name as signed in with (trimmed, lower case) and
 * the client's address when known. Unknown user names count like known ones, so the answers
 * never tell whether an account exists.
 */
export function signInKeys(username: string, address: string | undefined): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ kind: "user", id: username.trim().toLowerCase().slice(0, 64) }];
  const from = address?.trim().slice(0, 100);
  if (from) keys.push({ kind: "address", id: from });
  return keys;
}

export type SignInResult = { status: "signed_in"; user: User } | { status: "refused" } | { status: "wait"; seconds: number };

/**
 * Checks a password through the throttle: an attempt made while its user name or its address must
 * wait is answered with the wait and never checked; one that is checked counts until it proves
 * right. The same answers whether the user name exists or not.
 */
export async function signIn(
  stores: { users: Pick<UserStore, "authenticate">; signInThrottle: SignInThrottle },
  attempt: { username: string; password: string; address?: string },
): Promise<SignInResult> {
  const keys = signInKeys(attempt.username, attempt.address);
  const { waitMs } = await stores.signInThrottle.attempt(keys);
  if (waitMs > 0) return { status: "wait", seconds: Math.ceil(waitMs / 1_000) };
  const user = await stores.users.authenticate(attempt.username, attempt.password);
  if (!user) return { status: "refused" };
  await stores.signInThrottle.succeeded(keys);
  return { status: "signed_in", user };
}

/**
 * A signed-in user changes their own password. The current one is checked like a sign-in (through
 * the throttle, so a session left open does not allow guessing it); the new one ends every session
 * of the user and clears a reset's obligation to change it. Throws WRONG_PASSWORD.
 */
export async function changeOwnPassword(
  stores: { users: Pick<UserStore, "authenticate" | "setPassword">; signInThrottle: SignInThrottle },
  user: User,
  change: PasswordChange,
  address?: string,
): Promise<{ status: "changed" } | { status: "wait"; seconds: number }> {
  const data = PasswordChange.parse(change);
  const check = await signIn(stores, { username: user.username, password: data.current_password, address });
  if (check.status === "wait") return check;
  if (check.status === "refused" || check.user.id !== user.id) throw wrongPassword();
  await stores.users.setPassword(user.id, data.new_password, { id: user.username, role: user.role }, { temporary: false });
  return { status: "changed" };
}

/** A temporary password: 16 random URL-safe characters (96 bits), meant to be typed once. */
export function temporaryPassword(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * An admin resets another user's password: a temporary one, returned once to be handed over, that
 * the user must replace at their next sign-in before anything else. Their sessions end. An admin
 * changes their own password with changeOwnPassword instead.
 */
export async function resetPassword(
  users: Pick<UserStore, "get" | "setPassword">,
  id: string,
  actor: Actor & { userId: string },
): Promise<{ user: User; password: string }> {
  if (id === actor.userId) throw new VisibleError("CANNOT_RESET_OWN_PASSWORD", "change your own password with your current one");
  const user = await users.get(id);
  if (!user) throw new VisibleError("USER_NOT_FOUND", "no such user");
  const password = temporaryPassword();
  await users.setPassword(id, password, { id: actor.id, role: actor.role }, { temporary: true });
  return { user, password };
}
