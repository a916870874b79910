"use server";

import { Platform, User } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { sameSitePath } from "@/lib/redirect";
import { clientAddress, sessionUser, startSession } from "@/server/auth";
import { fieldErrors, isUnavailable, isVisibleError, visibleError, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";

/**
 * The signed-in user changes their own password, with the current one (or the temporary one an
 * admin gave). Every session of theirs ends and this browser gets a new one; one who had to
 * change it goes on to the page they asked for.
 */
export async function changePassword(_prev: FormState, form: FormData): Promise<FormState> {
  const user = await sessionUser();
  if (!user) redirect("/login");
  // Passwords are taken as typed: no trimming.
  const parsed = User.PasswordChange.safeParse({
    current_password: form.get("current_password") ?? "",
    new_password: form.get("new_password") ?? "",
    confirm_password: form.get("confirm_password") ?? "",
  });
  if (!parsed.success)
    return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: await fieldErrors(parsed.error), at: Date.now() };
  try {
    const result = await User.changeOwnPassword(await platform(), user, parsed.data, await clientAddress());
    if (result.status === "wait") {
      const t = await getTranslations("login");
      return {
        status: "error",
        message: t("wait", { seconds: result.seconds, minutes: result.seconds < 60 ? 0 : Math.ceil(result.seconds / 60) }),
        at: Date.now(),
      };
    }
  } catch (e) {
    if (isVisibleError(e)) return { status: "error", ...(await visibleError(e)), at: Date.now() };
    if (isUnavailable(e)) return { status: "error", message: (await getTranslations("errors"))("unavailable"), at: Date.now() };
    throw e;
  }
  await startSession(user, Platform.env().sessionLifetime);
  if (user.must_change_password) redirect(sameSitePath(form.get("next")));
  return { status: "ok", message: (await getTranslations("password"))("changed"), at: Date.now() };
}
