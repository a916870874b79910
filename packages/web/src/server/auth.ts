import "server-only";
import { can, type Permission, type SessionLifetime, type User } from "@fraud/core";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { requestIsSecure } from "./origin";
import { platform } from "./runtime";

export const SESSION_COOKIE = "fraud_session";

/** The cookie lives until the session's absolute end; the store ends it sooner when idle. */
export async function startSession(user: User, lifetime: SessionLifetime): Promise<void> {
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

/** The signed-in person for this request, or null. Read once per request. */
export const currentUser = cache(async (): Promise<User | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token || token.length > 100) return null;
  return (await (await platform()).sessions.resolve(token)) ?? null;
});

/** For pages: a signed-out visitor goes to the sign-in page. */
export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}

export class Forbidden extends Error {
  constructor(readonly permission: Permission) {
    super(`not allowed: ${permission}`);
    this.name = "Forbidden";
  }
}

/**
 * For server actions and route handlers: the signed-in user if their role allows the action.
 * Checked on the server for every call, whatever the page showed.
 */
export async function authorize(permission: Permission): Promise<User> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (!can(user.role, permission)) throw new Forbidden(permission);
  return user;
}

export function actorOf(user: User) {
  return { id: user.username, role: user.role };
}

/** Failed sign-ins per user name, in memory: slows down password guessing. */
const failures = new Map<string, { count: number; since: number }>();
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 8;

export function signInLocked(username: string, now = Date.now()): boolean {
  const f = failures.get(username);
  if (!f || now - f.since > WINDOW_MS) return false;
  return f.count >= MAX_FAILURES;
}

export function recordSignIn(username: string, ok: boolean, now = Date.now()): void {
  if (ok) {
    failures.delete(username);
    return;
  }
  const f = failures.get(username);
  if (!f || now - f.since > WINDOW_MS) failures.set(username, { count: 1, since: now });
  else f.count += 1;
  if (failures.size > 10_000) failures.clear();
}
