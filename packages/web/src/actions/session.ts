"use server";

import { Credentials, env } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { endSession, recordSignIn, signInLocked, startSession } from "@/server/auth";
import { fieldErrors, formObject, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";
import { isLocale, LOCALE_COOKIE } from "@/i18n/config";
import { sameSitePath } from "@/lib/redirect";

export async function signIn(_prev: FormState, form: FormData): Promise<FormState> {
  const t = await getTranslations("login");
  const values = formObject(form);
  const parsed = Credentials.safeParse({ username: values.username ?? "", password: form.get("password") ?? "" });
  if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error), at: Date.now() };
  const username = parsed.data.username.toLowerCase();
  if (signInLocked(username)) return { status: "error", message: t("locked"), at: Date.now() };
  const user = await (await platform()).users.authenticate(username, parsed.data.password);
  recordSignIn(username, user !== undefined);
  if (!user) return { status: "error", message: t("failed"), at: Date.now() };
  await startSession(user, env().sessionLifetime);
  redirect(sameSitePath(form.get("next")));
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect("/login");
}

export async function setLocale(form: FormData): Promise<void> {
  const locale = String(form.get("locale") ?? "");
  if (!isLocale(locale)) return;
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", maxAge: 365 * 86_400 });
}
