import { z } from "zod";

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
});
export type User = z.infer<typeof User>;

/** What an admin submits to add a person. */
export const NewUser = z.strictObject({
  username: Username,
  display_name: z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters"),
  role: z.enum(ROLES),
  password: Password,
});
export type NewUser = z.infer<typeof NewUser>;

export const Credentials = z.strictObject({
  username: z.string().trim().min(1, "enter your user name").max(64),
  password: z.string().min(1, "enter your password").max(256),
});
export type Credentials = z.infer<typeof Credentials>;

/** How long a dashboard session lasts before the person signs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;
