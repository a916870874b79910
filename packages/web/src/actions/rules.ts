"use server";

import { Rule, type Ruleset } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { actorOf, authorize } from "@/server/auth";
import { fieldErrors, formObject, guarded, isVisibleError, optionalNumber, visibleError, type FormState } from "@/server/forms";
import { rulesState, workingContent } from "@/server/rules";
import { platform } from "@/server/runtime";

export type ExpressionStatus = { ok: true; reads: string[] } | { ok: false; message: string; start: number; end: number };

/** An expression's error in the user's language where the check is core's own (its cost); cel-js's messages are cel-js's. */
async function expressionMessage(error: Rule.ExpressionError): Promise<string> {
  if (error.code !== "too_costly") return error.message;
  return (await getTranslations("rules"))("tooCostly", { cost: error.cost ?? 0, limit: error.limit ?? 0 });
}

/** Checks a rule expression as the analyst types it: the same type-checker that guards saving. */
export async function checkRuleExpression(expression: string): Promise<ExpressionStatus> {
  await authorize("read");
  // The argument comes from the client as it likes: anything but text is checked as empty text.
  const check = Rule.checkExpression(typeof expression === "string" ? expression.slice(0, 4_000) : "");
  return check.ok
    ? { ok: true, reads: check.reads }
    : { ok: false, message: await expressionMessage(check.error), start: check.error.start, end: check.error.end };
}

function refresh() {
  revalidatePath("/rules", "layout");
}

async function saveDraft(content: Ruleset.RulesetContent, note: string, actor: { id: string; role: string }) {
  const p = await platform();
  return p.rules.saveDraft(content, actor, note);
}

/** Creates or edits one rule: saved as a new draft version of the ruleset, never live at once. */
export async function saveRule(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("rule.draft", async (user) => {
    const t = await getTranslations("rules");
    const v = formObject(form);
    const original = v.original_id;
    const parsed = Rule.Rule.safeParse({
      id: (v.id ?? "").toUpperCase(),
      name: v.name ?? "",
      description: v.description ?? "",
      expression: v.expression ?? "",
      score: optionalNumber(v.score) ?? Number.NaN,
      enabled: form.get("enabled") === "on",
    });
    const fields = parsed.success ? {} : await fieldErrors(parsed.error);
    const check = Rule.checkExpression(v.expression ?? "");
    if (!check.ok && v.expression)
      fields.expression = [t("expressionError", { message: await expressionMessage(check.error), position: check.error.start + 1 })];
    if (!parsed.success || Object.keys(fields).length > 0) return { status: "error", message: (await getTranslations("errors"))("invalid"), fields };
    const rule = parsed.data;
    const { working } = await rulesState();
    const content = workingContent(working);
    const index = original ? content.rules.findIndex((r) => r.id === original) : -1;
    if (original && index === -1) return { status: "error", message: t("ruleGone") };
    if (content.rules.some((r, i) => r.id === rule.id && i !== index)) return { status: "error", fields: { id: [t("idTaken")] } };
    const rules = [...content.rules];
    if (index >= 0) rules[index] = rule;
    else rules.push(rule);
    try {
      await saveDraft({ ...content, rules }, original ? `edit ${rule.id}` : `new rule ${rule.id}`, actorOf(user));
    } catch (e) {
      // The store checks every expression again; its errors name the rule's position in the list.
      if (isVisibleError(e) && e.fields) {
        const said = await visibleError(e);
        const all = said.fields ?? e.fields;
        const mine = Object.entries(all)
          .filter(([k]) => k.endsWith(".expression"))
          .flatMap(([, m]) => m);
        return { status: "error", message: said.message, fields: mine.length ? { expression: mine } : all };
      }
      throw e;
    }
    refresh();
    redirect("/rules");
  });
}

const RuleRef = z.object({ id: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/) });

export async function toggleRule(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("rule.draft", async (user) => {
    const parsed = RuleRef.safeParse({ id: form.get("id") });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const { working } = await rulesState();
    const content = workingContent(working);
    const rule = content.rules.find((r) => r.id === parsed.data.id);
    const t = await getTranslations("rules");
    if (!rule) return { status: "error", message: t("ruleGone") };
    const rules = content.rules.map((r) => (r.id === rule.id ? { ...r, enabled: !r.enabled } : r));
    await saveDraft({ ...content, rules }, `${rule.enabled ? "disable" : "enable"} ${rule.id}`, actorOf(user));
    refresh();
    return { status: "ok", message: t(rule.enabled ? "disabledDraft" : "enabledDraft", { id: rule.id }) };
  });
}

export async function deleteRule(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("rule.draft", async (user) => {
    const parsed = RuleRef.safeParse({ id: form.get("id") });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const { working } = await rulesState();
    const content = workingContent(working);
    const t = await getTranslations("rules");
    if (!content.rules.some((r) => r.id === parsed.data.id)) return { status: "error", message: t("ruleGone") };
    await saveDraft({ ...content, rules: content.rules.filter((r) => r.id !== parsed.data.id) }, `remove ${parsed.data.id}`, actorOf(user));
    refresh();
    redirect("/rules");
  });
}

const VersionRef = z.object({ version: z.coerce.number().int().positive() });

/** Makes a draft the live ruleset: the next transaction is scored with it. */
export async function publishVersion(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("rule.publish", async (user) => {
    const parsed = VersionRef.safeParse({ version: form.get("version") });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const p = await platform();
    const published = await p.rules.publish(parsed.data.version, actorOf(user));
    p.scoring.invalidate();
    refresh();
    return { status: "ok", message: (await getTranslations("rules"))("published", { version: published.version }) };
  });
}

/** Publishes a copy of an earlier published version as the new live version. */
export async function rollbackToVersion(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("rule.publish", async (user) => {
    const parsed = VersionRef.safeParse({ version: form.get("version") });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const p = await platform();
    const live = await p.rules.rollback(parsed.data.version, actorOf(user));
    p.scoring.invalidate();
    refresh();
    return { status: "ok", message: (await getTranslations("rules"))("rolledBack", { version: parsed.data.version, live: live.version }) };
  });
}
