import { z } from "zod";
import { VisibleError } from "../errors/errors.ts";

/** Who may do what: a viewer reads, an analyst works cases and drafts rules, an admin changes the system. */
export const ROLES = ["viewer", "analyst", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Every action a person can take in the dashboard, and the least role that may take it. The one
 * place these are defined: the dashboard's menus and every server action check this table.
 */
export const PERMISSIONS = {
  read: "viewer",
  "transaction.test": "analyst",
  "review.work": "analyst",
  "profile.edit": "analyst",
  "rule.draft": "analyst",
  "rule.publish": "admin",
  "list.edit": "admin",
  "user.manage": "admin",
  "settings.edit": "admin",
  "report.run": "viewer",
  "report.save": "analyst",
  /** Emails and phone numbers as stored; a viewer sees them masked (maskPersonalData). */
  "personal.read": "analyst",
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };

export function can(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[PERMISSIONS[permission]];
}

export const Username = z
  .string()
  .trim()
  .min(3, "must be at least 3 characters")
  .max(64, "must be at most 64 characters")
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, dot, dash and underscore only");

export const Password = z.string().min(10, "must be at least 10 characters").max(256, "must be at most 256 characters");

/** A person who signs in to the dashboard. The password hash never leaves the store. */
export const User = z.object({
  id: z.string(),
  username: Username,
  display_name: z.string(),
  role: z.enum(ROLES),
  created_at: z.iso.datetime({ offset: true }),
  disabled_at: z.iso.datetime({ offset: true }).nullable(),
  /** An admin reset the password: the user must choose a new one before anything else. */
  must_change_password: z.boolean(),
});
export type User = z.infer<typeof User>;

/** Refuses a user name already in use; the same error from every adapter. */
export function usernameTaken(): VisibleError {
  const issue = { field: "username", code: "custom", message: "this user name is taken", params: { key: "username_taken" } };
  return new VisibleError("USERNAME_TAKEN", issue.message, { username: [issue.message] }, [issue]);
}

/** What an admin submits to add a person. */
export const NewUser = z.strictObject({
  username: Username,
  display_name: z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters"),
  role: z.enum(ROLES),
  password: Password,
});
export type NewUser = z.infer<typeof NewUser>;

/** A custom issue that the dashboard shows in the reader's language (validation.custom.<key>). */
const issue = (key: string, message: string) => ({ message, params: { key } });

/**
 * What a signed-in user submits to change their own password: the current one (or the temporary
 * one an admin gave), and the new one twice. The new one follows the same policy as a new user's.
 */
export const PasswordChange = z
  .strictObject({
    current_password: z.string().min(1, "enter your current password").max(256),
    new_password: Password,
    confirm_password: z.string().max(256),
  })
  .refine((c) => c.confirm_password === c.new_password, { path: ["confirm_password"], ...issue("passwords_differ", "the two new passwords differ") })
  .refine((c) => c.current_password === "" || c.new_password !== c.current_password, {
    path: ["new_password"],
    ...issue("password_unchanged", "must differ from the current password"),
  });
export type PasswordChange = z.infer<typeof PasswordChange>;

/** The current password given to change it was wrong; the same error from every adapter. */
export function wrongPassword(): VisibleError {
  const wrong = { field: "current_password", code: "custom", message: "this is not your current password", params: { key: "wrong_password" } };
  return new VisibleError("WRONG_PASSWORD", wrong.message, { current_password: [wrong.message] }, [wrong]);
}

export const Credentials = z.strictObject({
  username: z.string().trim().min(1, "enter your user name").max(64),
  password: z.string().min(1, "enter your password").max(256),
});
export type Credentials = z.infer<typeof Credentials>;

/**
 * How long a dashboard session lasts: it ends after `idleMs` without a request (each request
 * slides that window) and `maxMs` after sign-in whatever happens.
 */
export const SessionLifetime = z
  .object({ idleMs: z.number().int().positive(), maxMs: z.number().int().positive() })
  .refine((l) => l.idleMs <= l.maxMs, { message: "the idle time-out must not exceed the session maximum", path: ["idleMs"] });
export type SessionLifetime = z.infer<typeof SessionLifetime>;

export const DEFAULT_SESSION_LIFETIME: SessionLifetime = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };

/** When a session started at `now` ends: `expires_at` if idle (it slides), `ends_at` in any case. */
export function sessionTimes(now: Date, lifetime: SessionLifetime): { expires_at: string; ends_at: string } {
  const { idleMs, maxMs } = SessionLifetime.parse(lifetime);
  return { expires_at: new Date(now.getTime() + idleMs).toISOString(), ends_at: new Date(now.getTime() + maxMs).toISOString() };
}

/** A stored session is valid while neither its idle expiry nor its absolute end has passed. */
export function sessionValid(session: { expires_at: string; ends_at: string }, now: Date): boolean {
  const t = now.getTime();
  return t < Date.parse(session.expires_at) && t < Date.parse(session.ends_at);
}

/**
 * The idle expiry after a request at `now`, or undefined when it need not be written: it moves
 * at most once per step (a minute, or half the idle time if shorter), so a busy page does not
 * write on every request, and never past the absolute end.
 */
export function slidExpiry(session: { expires_at: string; ends_at: string; idle_ms: number }, now: Date): string | undefined {
  const next = Math.min(now.getTime() + session.idle_ms, Date.parse(session.ends_at));
  const step = Math.min(60_000, session.idle_ms / 2);
  return next - Date.parse(session.expires_at) >= step ? new Date(next).toISOString() : undefined;
}

/** Who did something, for the audit log. */
export interface Actor {
  id: string;
  role?: string;
}
