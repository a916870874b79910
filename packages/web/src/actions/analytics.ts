"use server";

import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { backtestService, reportService, type BacktestOutput, type ReportOutput } from "@/server/analytics";
import { actorOf } from "@/server/auth";
import { fieldErrors, guarded, type FormState } from "@/server/forms";

const RunReport = z.object({ name: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/), params: z.record(z.string(), z.string().max(200)) });

/** Runs a saved report with the parameters from its form. */
export async function runReport(_prev: FormState<ReportOutput>, form: FormData): Promise<FormState<ReportOutput>> {
  return guarded("report.run", async () => {
    const service = await reportService();
    if (!service) return { status: "error", message: (await getTranslations("reports"))("unavailable") };
    const params: Record<string, string> = {};
    for (const [k, v] of form.entries()) if (k.startsWith("param.") && typeof v === "string" && v !== "") params[k.slice(6)] = v;
    const parsed = RunReport.safeParse({ name: form.get("report"), params });
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const result = await service.run(parsed.data.name, parsed.data.params, { rowLimit: 5_000 });
    return { status: "ok", data: result };
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
