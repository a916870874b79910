"use server";

import { getTranslations } from "next-intl/server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { backtestService, reportService, type BacktestOutput, type ReportOutput } from "@/server/analytics";
import { actorOf } from "@/server/auth";
import { fieldErrors, formObject, guarded, type FormState } from "@/server/forms";
import { reportFor } from "@/server/personal-data";

const RunReport = z.object({ name: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/), params: z.record(z.string(), z.string().max(200)) });

/** Runs a saved report with the parameters from its form. */
export async function runReport(_prev: FormState<ReportOutput>, form: FormData): Promise<FormState<ReportOutput>> {
  return guarded("report.run", async (user) => {
    const service = await reportService();
    if (!service) return { status: "error", message: (await getTranslations("reports"))("unavailable") };
    const params: Record<string, string> = {};
    for (const [k, v] of form.entries()) if (k.startsWith("param.") && typeof v === "string" && v !== "") params[k.slice(6)] = v;
    const parsed = RunReport.safeParse({ name: form.get("report"), params });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const result = await service.run(parsed.data.name, parsed.data.params, { rowLimit: 5_000 });
    return { status: "ok", data: reportFor(user, result) };
  });
}

const PARAMETER_FIELDS = ["name", "type", "label", "description", "default"] as const;
/** One more than a report may have, so that the schema's own limit is what refuses a longer list. */
const MAX_PARAMETERS = 21;

/** The report editor's fields as the definition core validates: `parameters.<i>.<field>`, `chart.y` comma-separated. */
function reportInput(form: FormData) {
  const v = formObject(form);
  const rows = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(v)) {
    const m = /^parameters\.(\d{1,2})\.([a-z]+)$/.exec(key);
    if (!m || !(PARAMETER_FIELDS as readonly string[]).includes(m[2]!)) continue;
    const index = Number(m[1]);
    if (index < MAX_PARAMETERS) rows.set(index, { ...rows.get(index), [m[2]!]: value });
  }
  const parameters = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, p]) => ({ name: p.name ?? "", type: p.type ?? "", label: p.label ?? "", description: p.description ?? "", default: p.default }));
  const y = (v["chart.y"] ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  return {
    name: v.name ?? "",
    title: v.title ?? "",
    description: v.description ?? "",
    parameters,
    sql: v.sql ?? "",
    chart: { kind: v["chart.kind"] ?? "table", x: v["chart.x"], y },
  };
}

/**
 * Saves an analyst's own report. Core checks it: one read-only SELECT, parsed by the engine, its
 * parameters declared and bound; the errors come back on their fields. Then it opens to be run.
 */
export async function saveReport(_prev: FormState, form: FormData): Promise<FormState> {
  return guarded("report.save", async (user) => {
    const service = await reportService();
    if (!service) return { status: "error", message: (await getTranslations("reports"))("unavailable") };
    const saved = await service.save(reportInput(form), actorOf(user));
    revalidatePath("/reports");
    redirect(`/reports?report=${encodeURIComponent(saved.name)}`);
  });
}

const Range = z.object({ version: z.coerce.number().int().positive(), from: z.iso.date(), to: z.iso.date() });

export async function runBacktest(_prev: FormState<BacktestOutput>, form: FormData): Promise<FormState<BacktestOutput>> {
  return guarded("rule.draft", async (user) => {
    const service = await backtestService();
    if (!service) return { status: "error", message: (await getTranslations("backtest"))("unavailable") };
    const parsed = Range.safeParse({ version: form.get("version"), from: form.get("from"), to: form.get("to") });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const { version, ...range } = parsed.data;
    return { status: "ok", data: await service.run(version, range, actorOf(user)) };
  });
}
