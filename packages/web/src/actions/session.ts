"use server";

import { Platform, User } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { clientAddress, endSession, startSession } from "@/server/auth";
import { fieldErrors, formObject, isUnavailable, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";
import { isLocale, LOCALE_COOKIE } from "@/i18n/config";
import { passwordPage, sameSitePath } from "@/lib/redirect";

export async function signIn(_prev: FormState, form: FormData): Promise<FormState> {
  const t = await getTranslations("login");
  const values = formObject(form);
  const parsed = User.Credentials.safeParse({ username: values.username ?? "", password: form.get("password") ?? "" });
  if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error), at: Date.now() };
  let result: User.SignInResult;
  try {
    result = await User.signIn(await platform(), { username: parsed.data.username, password: parsed.data.password, address: await clientAddress() });
  } catch (e) {
    if (isUnavailable(e)) return { status: "error", message: (await getTranslations("errors"))("unavailable"), at: Date.now() };
    throw e;
  }
  if (result.status === "wait")
    return {
      status: "error",
      message: t("wait", { seconds: result.seconds, minutes: result.seconds < 60 ? 0 : Math.ceil(result.seconds / 60) }),
      at: Date.now(),
    };
  if (result.status === "refused") return { status: "error", message: t("failed"), at: Date.now() };
  await startSession(result.user, Platform.env().sessionLifetime);
  const next = sameSitePath(form.get("next"));
  redirect(result.user.must_change_password ? passwordPage(next) : next);
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
