import { randomBytes } from "node:crypto";
import { VisibleError } from "../errors/errors.ts";
import type { SignInThrottle, UserStore } from "./ports.ts";
import type { ThrottleKey } from "./throttle.ts";
import { Password, PasswordChange, wrongPassword, type Actor, type User } from "./users.ts";

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

/**
 * Creates the `admin` account with this password on a deployment's first start; an existing one
 * is left as it is (its password may have been changed since, in the dashboard). Several
 * processes may start together: one of them creates it. With `compare`, an existing account is
 * checked against the password: "password_differs" tells the caller to warn that the configured
 * password is not applied (it costs one password check).
 */
export async function ensureAdminAccount(
  users: Pick<UserStore, "byUsername" | "create" | "authenticate">,
  password: string | undefined,
  options: { compare?: boolean } = {},
): Promise<"created" | "existing" | "password_differs"> {
  if (await users.byUsername("admin")) {
    if (!options.compare || password === undefined) return "existing";
    return (await users.authenticate("admin", password)) ? "existing" : "password_differs";
  }
  const checked = Password.safeParse(password);
  if (!checked.success)
    throw new Error(`no admin account yet, and the admin password is ${password === undefined ? "not set" : `invalid (${checked.error.issues[0]?.message})`}`);
  try {
    await users.create({ username: "admin", display_name: "Administrator", role: "admin", password: checked.data }, { id: "system" });
    return "created";
  } catch (e) {
    if ((e as { code?: string }).code === "USERNAME_TAKEN") return "existing";
    throw e;
  }
}
