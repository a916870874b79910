"use server";

import { List } from "@fraud/core";
import { getTimeZone, getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { endOfDayIn, parseCsv } from "@/lib/csv";
import { actorOf } from "@/server/auth";
import { fieldErrors, formObject, guarded, isVisibleError, visibleError, type FormState } from "@/server/forms";
import { platform } from "@/server/runtime";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day (end of that day in the user's zone) or an ISO 8601 instant; a day that does not exist (2025-02-30) is refused. */
function expiry(value: string | undefined, timeZone: string): string | null | undefined {
  if (!value) return null;
  const realDay = DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  return realDay ? endOfDayIn(value, timeZone) : value;
}

export async function addListEntry(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("list.edit", async (user) => {
    const v = formObject(form);
    const parsed = List.ListEntryInput.safeParse({
      kind: v.kind,
      field: v.field,
      value: v.value ?? "",
      reason: v.reason ?? "",
      expires_at: expiry(v.expires_at, await getTimeZone()),
    });
    if (!parsed.success) return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: await fieldErrors(parsed.error) };
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
/** A refused row's value is echoed this far in the report (a huge line is not sent back whole). */
const ECHO_CHARS = 80;

/** A file's text; bytes that are not UTF-8 are marked (U+FFFD) so their rows can be refused, not imported garbled. */
async function fileText(file: File): Promise<{ text: string; utf8: boolean }> {
  const bytes = await file.arrayBuffer();
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), utf8: true };
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return { text: new TextDecoder("utf-8").decode(bytes), utf8: false };
  }
}

/**
 * Imports list entries from CSV. Policy: every row gets a line in the report; each valid row is
 * added and each invalid one is refused with its reasons (wrong number of columns, a field that
 * does not validate, bytes that are not UTF-8, or an entry already on that list, in the store or
 * earlier in the file). A file without the required header, or with more than MAX_ROWS rows,
 * imports nothing.
 */
export async function importListCsv(_prev: FormState<ImportRow[]>, form: FormData): Promise<FormState<ImportRow[]>> {
  return guarded("list.edit", async (user) => {
    const t = await getTranslations("lists");
    const file = form.get("file");
    const pasted = form.get("csv");
    const { text, utf8 } = file instanceof File && file.size > 0 ? await fileText(file) : { text: typeof pasted === "string" ? pasted : "", utf8: true };
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
      const refuse = (messages: string[]) => report.push({ line: row.line, ok: false, value: (cell("value") ?? "").slice(0, ECHO_CHARS), messages });
      if (!utf8 && row.cells.some((c) => c.includes("\uFFFD"))) {
        refuse([t("importNotUtf8")]);
        continue;
      }
      if (row.cells.length !== columns.length) {
        refuse([t("importColumns", { found: row.cells.length, expected: columns.length })]);
        continue;
      }
      const parsed = List.ListEntryInput.safeParse({
        kind: cell("kind"),
        field: cell("field"),
        value: cell("value") ?? "",
        reason: cell("reason") ?? "",
        expires_at: expiry(cell("expires_at"), tz),
      });
      if (!parsed.success) {
        refuse(Object.entries(await fieldErrors(parsed.error)).map(([k, m]) => `${k}: ${m.join("; ")}`));
        continue;
      }
      const existing = (await p.lists.find([{ field: parsed.data.field, value: parsed.data.value }])).find((e) => e.kind === parsed.data.kind);
      if (existing) {
        refuse([t("importDuplicate", { kind: parsed.data.kind, id: existing.id })]);
        continue;
      }
      try {
        await p.lists.add(parsed.data, actorOf(user));
        report.push({ line: row.line, ok: true, value: parsed.data.value, messages: [] });
      } catch (e) {
        if (!isVisibleError(e)) throw e;
        refuse([(await visibleError(e)).message]);
      }
    }
    revalidatePath("/lists");
    const ok = report.filter((r) => r.ok).length;
    return { status: ok === report.length ? "ok" : "error", message: t("importReport", { ok, failed: report.length - ok }), data: report };
  });
}
