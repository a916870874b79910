"use server";

import { Ruleset, User } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf } from "@/server/auth";
import { fieldErrors, formObject, guarded, optionalNumber, type FormState } from "@/server/forms";
import { rulesState, workingContent } from "@/server/rules";
import { platform } from "@/server/runtime";

const RulesetSettings = z.object({
  thresholds: Ruleset.Thresholds,
  fallback_decision: z.enum(Ruleset.DECISIONS),
  time_budget_ms: z.number().positive().max(1_000),
});

/** Thresholds live in the ruleset: saving them publishes a new version with the live rules. */
export async function saveThresholds(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("settings.edit", async (user) => {
    const v = formObject(form);
    const parsed = RulesetSettings.safeParse({
      thresholds: { review: optionalNumber(v.review), block: optionalNumber(v.block) },
      fallback_decision: v.fallback_decision,
      time_budget_ms: optionalNumber(v.time_budget_ms),
    });
    if (!parsed.success) {
      const fields = await fieldErrors(parsed.error);
      const flat = Object.fromEntries(Object.entries(fields).map(([k, m]) => [k.replace(/^thresholds\./, ""), m]));
      return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: flat };
    }
    const p = await platform();
    const { live } = await rulesState();
    const draft = await p.rules.saveDraft({ ...workingContent(live), ...parsed.data }, actorOf(user), "thresholds changed in settings");
    const published = await p.rules.publish(draft.version, actorOf(user));
    p.scoring.invalidate();
    revalidatePath("/settings");
    revalidatePath("/rules", "layout");
    return { status: "ok", message: (await getTranslations("settings"))("thresholdsSaved", { version: published.version }) };
  });
}

export async function createUser(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("user.manage", async (user) => {
    const v = formObject(form);
    const parsed = User.NewUser.safeParse({
      username: (v.username ?? "").toLowerCase(),
      display_name: v.display_name ?? "",
      role: v.role,
      password: form.get("password") ?? "",
    });
    if (!parsed.success) return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: await fieldErrors(parsed.error) };
    await (await platform()).users.create(parsed.data, actorOf(user));
    revalidatePath("/settings");
    return { status: "ok", message: (await getTranslations("settings"))("userCreated", { username: parsed.data.username }) };
  });
}

const UserChange = z.object({ id: z.string().min(1).max(64), role: z.enum(User.ROLES).optional(), disabled: z.enum(["true", "false"]).optional() });

export async function updateUser(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("user.manage", async (user) => {
    const parsed = UserChange.safeParse(formObject(form));
    const t = await getTranslations("settings");
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    // An admin cannot lock themselves out.
    if (parsed.data.id === user.id) return { status: "error", message: t("cannotSelf") };
    const p = await platform();
    if (parsed.data.role) await p.users.setRole(parsed.data.id, parsed.data.role, actorOf(user));
    if (parsed.data.disabled) await p.users.setDisabled(parsed.data.id, parsed.data.disabled === "true", actorOf(user));
    revalidatePath("/settings");
    return { status: "ok", message: t("userSaved") };
  });
}

const ResetTarget = z.object({ id: z.string().min(1).max(64) });

/**
 * An admin gives another user a temporary password, in the answer once: the user must choose their
 * own at their next sign-in, and their open sessions end.
 */
export async function resetUserPassword(_prev: FormState<{ password: string }>, form: FormData): Promise<FormState<{ password: string }>> {
  return guarded("user.manage", async (user) => {
    const parsed = ResetTarget.safeParse(formObject(form));
    if (!parsed.success) return { status: "error", message: (await getTranslations("errors"))("invalid") };
    const { user: target, password } = await User.resetPassword((await platform()).users, parsed.data.id, { ...actorOf(user), userId: user.id });
    revalidatePath("/settings");
    return { status: "ok", message: (await getTranslations("settings"))("passwordReset", { username: target.username }), data: { password } };
  });
}

const NewKey = z.object({ name: z.string().trim().min(1, "must not be empty").max(80), scopes: z.array(z.enum(User.API_KEY_SCOPES)).min(1) });

/** The key is in the answer once; only its hash is stored. */
export async function createApiKey(_prev: FormState<{ key: string }>, form: FormData): Promise<FormState<{ key: string }>> {
  return guarded("settings.edit", async (user) => {
    const t = await getTranslations("settings");
    const parsed = NewKey.safeParse({ name: form.get("name") ?? "", scopes: form.getAll("scopes") });
    if (!parsed.success) {
      const fields = await fieldErrors(parsed.error);
      if (fields.scopes) fields.scopes = [t("noScope")];
      return { status: "error", fields };
    }
    const { key } = await (await platform()).apiKeys.create(parsed.data.name, parsed.data.scopes, actorOf(user));
    revalidatePath("/settings");
    return { status: "ok", message: t("keyCreated"), data: { key } };
  });
}

export async function revokeApiKey(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("settings.edit", async (user) => {
    const id = z.string().uuid().safeParse(form.get("id"));
    if (!id.success) return { status: "error", message: (await getTranslations("errors"))("invalid") };
    await (await platform()).apiKeys.revoke(id.data, actorOf(user));
    revalidatePath("/settings");
    return { status: "ok", message: (await getTranslations("settings"))("keyRevoked") };
  });
}
