"use server";

import { Profile } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { actorOf } from "@/server/auth";
import { fieldErrors, guarded, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";

const EDITABLE = ["email", "phone", "risk_level", "last_device_id", "last_location"] as const;

/** Saves the fields an analyst changed; an emptied field is cleared (null). */
export async function editProfile(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("profile.edit", async (user) => {
    const userId = String(form.get("user_id") ?? "");
    const p = await platform();
    const before = await p.profiles.get(userId);
    const t = await getTranslations("profiles");
    if (!before) return { status: "error", message: t("notFound") };
    const edit: Record<string, string | null> = {};
    for (const k of EDITABLE) {
      const raw = form.get(k);
      if (typeof raw !== "string") continue;
      const value = raw.trim() === "" ? null : raw.trim();
      if (value !== (before[k as keyof Profile.Profile] ?? null)) edit[k] = value;
    }
    if (edit.risk_level === null) delete edit.risk_level;
    if (Object.keys(edit).length === 0) return { status: "ok", message: t("noChange") };
    const parsed = Profile.ProfileEdit.safeParse(edit);
    if (!parsed.success) return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: await fieldErrors(parsed.error) };
    await p.profiles.edit(userId, parsed.data, actorOf(user));
    revalidatePath(`/profiles/${encodeURIComponent(userId)}`);
    revalidatePath("/profiles");
    return { status: "ok", message: t("saved") };
  });
}
