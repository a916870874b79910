"use server";

import { ListEntryInput } from "@fraud/core";
import { getTimeZone, getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { endOfDayIn, parseCsv } from "@/lib/csv";
import { actorOf } from "@/server/auth";
import { fieldErrors, formObject, guarded, isVisibleError, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function expiry(value: string | undefined, timeZone: string): string | null | undefined {
  if (!value) return null;
  return DATE.test(value) ? endOfDayIn(value, timeZone) : value;
}

export async function addListEntry(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("list.edit", async (user) => {
    const v = formObject(form);
    const parsed = ListEntryInput.safeParse({ kind: v.kind, field: v.field, value: v.value ?? "", reason: v.reason ?? "", expires_at: expiry(v.expires_at, await getTimeZone()) });
    if (!parsed.success) return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: fieldErrors(parsed.error) };
    await (await platform()).lists.add(parsed.data, actorOf(user));
    revalidatePath("/lists");
    return { status: "ok", message: (await getTranslations("lists"))("added") };
  });
}

export async function removeListEntry(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("list.edit", async (user) => {
    const parsed = z.coerce.number().int().positive().safeParse(form.get("id"));
    if (!parsed.success) return { status: "error", message: (await getTranslations("errors"))("invalid") };
    await (await platform()).lists.remove(parsed.data, actorOf(user));
    revalidatePath("/lists");
    return { status: "ok", message: (await getTranslations("lists"))("removed") };
  });
}

export interface ImportRow {
  line: number;
  ok: boolean;
  messages: string[];
  value: string;
}

const MAX_ROWS = 5_000;
const REQUIRED = ["kind", "field", "value", "reason"] as const;

/** Imports list entries from CSV: every valid row is added, every row gets a line in the report. */
export async function importListCsv(_prev: FormState<ImportRow[]>, form: FormData): Promise<FormState<ImportRow[]>> {
  return guarded("list.edit", async (user) => {
    const t = await getTranslations("lists");
    const file = form.get("file");
    const pasted = form.get("csv");
    const text = file instanceof File && file.size > 0 ? await file.text() : typeof pasted === "string" ? pasted : "";
    if (!text.trim()) return { status: "error", message: t("noCsv") };
    const [header, ...rows] = parseCsv(text);
    const columns = (header?.cells ?? []).map((c) => c.trim().toLowerCase());
    if (!REQUIRED.every((c) => columns.includes(c))) return { status: "error", message: t("badHeader") };
    if (rows.length > MAX_ROWS) return { status: "error", message: t("tooMany", { max: MAX_ROWS }) };
    const tz = await getTimeZone();
    const p = await platform();
    const report: ImportRow[] = [];
    for (const row of rows) {
      const cell = (name: string) => {
        const i = columns.indexOf(name);
        const v = i === -1 ? undefined : row.cells[i]?.trim();
        return v === "" ? undefined : v;
      };
      const parsed = ListEntryInput.safeParse({ kind: cell("kind"), field: cell("field"), value: cell("value") ?? "", reason: cell("reason") ?? "", expires_at: expiry(cell("expires_at"), tz) });
      if (!parsed.success) {
        report.push({ line: row.line, ok: false, value: cell("value") ?? "", messages: Object.entries(fieldErrors(parsed.error)).map(([k, m]) => `${k}: ${m.join("; ")}`) });
        continue;
      }
      try {
        await p.lists.add(parsed.data, actorOf(user));
        report.push({ line: row.line, ok: true, value: parsed.data.value, messages: [] });
      } catch (e) {
        if (!isVisibleError(e)) throw e;
        report.push({ line: row.line, ok: false, value: parsed.data.value, messages: [e.message] });
      }
    }
    revalidatePath("/lists");
    const ok = report.filter((r) => r.ok).length;
    return { status: ok === report.length ? "ok" : "error", message: t("importReport", { ok, failed: report.length - ok }), data: report };
  });
}
