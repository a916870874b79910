import "server-only";
import { User } from "@fraud/core";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { requestIsSecure } from "./origin";
import { platform } from "./runtime";

export const SESSION_COOKIE = "fraud_session";

/** The cookie lives until the session's absolute end; the store ends it sooner when idle. */
export async function startSession(user: User.User, lifetime: User.SessionLifetime): Promise<void> {
  const p = await platform();
  const { token, ends_at } = await p.sessions.start(user.id, lifetime);
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await requestIsSecure(),
    path: "/",
    expires: new Date(ends_at),
  });
}

export async function endSession(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await (await platform()).sessions.end(token);
  jar.delete(SESSION_COOKIE);
}

/**
 * The person whose session this request carries, or null. Read once per request. Includes a user
 * who must change their password first: only the password page and signing out take that user.
 */
export const sessionUser = cache(async (): Promise<User.User | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token || token.length > 100) return null;
  return (await (await platform()).sessions.resolve(token)) ?? null;
});

/** The signed-in person for this request, or null, also while they must change their password. */
export async function currentUser(): Promise<User.User | null> {
  const user = await sessionUser();
  return user && !user.must_change_password ? user : null;
}

/** The page a session holder is sent to: sign-in when there is none, or the password to change. */
async function signInPage(): Promise<string> {
  return (await sessionUser())?.must_change_password ? "/password" : "/login";
}

/** For pages: a signed-out visitor goes to the sign-in page, one who must change their password to that page. */
export async function requireUser(): Promise<User.User> {
  const user = await currentUser();
  if (!user) redirect(await signInPage());
  return user;
}

export class Forbidden extends Error {
  constructor(readonly permission: User.Permission) {
    super(`not allowed: ${permission}`);
    this.name = "Forbidden";
  }
}

/**
 * For server actions and route handlers: the signed-in user if their role allows the action.
 * Checked on the server for every call, whatever the page showed.
 */
export async function authorize(permission: User.Permission): Promise<User.User> {
  const user = await currentUser();
  if (!user) redirect(await signInPage());
  if (!User.can(user.role, permission)) throw new Forbidden(permission);
  return user;
}

export function actorOf(user: User.User) {
  return { id: user.username, role: user.role };
}

/**
 * The address the request came from, as the server in front of the dashboard saw it: the local
 * server's forwarder replaces X-Forwarded-For with the client's address (FRAUD_TRUSTED_PROXY says
 * whose word it takes), and a proxy that appends puts its own view last. Undefined when no server
 * in front said.
 */
export async function clientAddress(): Promise<string | undefined> {
  const forwarded = (await headers()).get("x-forwarded-for") ?? "";
  return forwarded.split(",").at(-1)?.trim() || undefined;
}
