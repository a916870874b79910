import "server-only";
import { Errors, type User } from "@fraud/core";
import { getMessages, getTranslations } from "next-intl/server";
import type { z } from "zod";
import { localFieldErrors, type Say } from "@/lib/validation";
import { authorize, Forbidden } from "./auth";

/** What a form's server action answers: a message, and the errors to show on each field. */
export interface FormState<D = undefined> {
  status: "idle" | "ok" | "error";
  message?: string;
  fields?: Record<string, string[]>;
  data?: D;
  /** Changes on every answer, so a form can reset or announce even when the text is the same. */
  at?: number;
}

export const idle: FormState = { status: "idle" };

/**
 * Errors from core cross a module boundary: the custom server loads core once and Next bundles
 * its own copy, so `instanceof` cannot be trusted. A visible error is known by its name and code.
 */
export function isVisibleError(e: unknown): e is Error & { code: string; fields?: Errors.FieldErrors; issues?: Errors.FieldIssue[] } {
  return e instanceof Error && e.name === "VisibleError" && typeof (e as { code?: unknown }).code === "string";
}

/** A visible error as a form shows it: its message and fields in the user's language where known. */
export async function visibleError(
  e: Error & { code: string; fields?: Errors.FieldErrors; issues?: Errors.FieldIssue[] },
): Promise<{ message: string; fields?: Errors.FieldErrors }> {
  const t = await getTranslations("errors.visible");
  // The catalogue says every ErrorCode (checked by the type checker and the tests).
  const known = Errors.isErrorCode(e.code);
  const message = known ? (t as unknown as Say)(e.code, { detail: e.message }) : e.message;
  return { message, fields: Array.isArray(e.issues) ? await fieldErrors(e.issues) : e.fields };
}

/** The store could not take a write now (disk full, throttled by AWS): the user may try again. */
export function isUnavailable(e: unknown): boolean {
  return e instanceof Error && e.name === "UnavailableError";
}

/**
 * The errors to show on each field, in the user's language: for every server action that parses
 * input with a zod schema, and for core's errors that carry their issues.
 */
export async function fieldErrors(from: z.ZodError | readonly Errors.FieldIssue[]): Promise<Errors.FieldErrors> {
  const [t, messages] = await Promise.all([getTranslations("validation"), getMessages()]);
  // Keys are looked up in the catalogue at run time (see lib/validation), not known to the types.
  return localFieldErrors(from, messages.validation, t as unknown as Say);
}

/**
 * Runs a form action for a signed-in user whose role allows it. The role is checked here, on
 * the server, for every call; errors a user can act on come back as the form's state.
 */
export async function guarded<D = undefined>(permission: User.Permission, run: (user: User.User) => Promise<FormState<D>>): Promise<FormState<D>> {
  const t = await getTranslations("errors");
  let user: User.User;
  try {
    user = await authorize(permission);
  } catch (e) {
    if (e instanceof Forbidden) return { status: "error", message: t("forbidden"), at: Date.now() };
    throw e;
  }
  try {
    return { ...(await run(user)), at: Date.now() };
  } catch (e) {
    if (isVisibleError(e)) return { status: "error", ...(await visibleError(e)), at: Date.now() };
    if (isUnavailable(e)) return { status: "error", message: t("unavailable"), at: Date.now() };
    throw e;
  }
}

/** FormData as a plain object of strings; empty inputs are left out. */
export function formObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) {
    if (typeof v === "string" && !k.startsWith("$ACTION") && v.trim() !== "") out[k] = v.trim();
  }
  return out;
}

export function optionalNumber(v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v.replace(/[\s\u202f\u00a0]/g, "").replace(",", "."));
  return Number.isFinite(n) ? n : Number.NaN;
}
