"use server";

import { Demo } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { fieldErrors, formObject, guarded, optionalNumber, type FormState } from "@/server/forms";
import { platform, runtime } from "@/server/runtime";
import { toRow, type DecisionRow } from "@/server/decisions";

const NUMBER_FIELDS = ["amount", "balance_before", "balance_after", "latitude", "longitude"] as const;

export interface TestedDecision extends DecisionRow {
  fired: Array<{ id: string; name: string; score: number; values: Record<string, string | number | boolean | null> }>;
  list_match: string | null;
  fallback_reason: string | null;
}

/**
 * Scores a transaction typed in the dashboard as the API would score it now, and records it as a
 * test: the customer's profile is read, not changed, and the test counts in no figure, alert,
 * report or review queue (see core's TestDecisionLog).
 */
export async function testTransaction(_prev: FormState<TestedDecision>, form: FormData): Promise<FormState<TestedDecision>> {
  return guarded("transaction.test", async () => {
    const values: Record<string, unknown> = formObject(form);
    for (const k of NUMBER_FIELDS) if (values[k] !== undefined) values[k] = optionalNumber(String(values[k]));
    const result = await (await platform()).scoring.submitTest(values);
    const t = await getTranslations("test");
    if (result.status === "invalid")
      return { status: "error", message: (await getTranslations("errors"))("invalid"), fields: await fieldErrors(result.issues) };
    if (result.status === "conflict") return { status: "error", message: t("conflict"), fields: { transaction_id: [t("conflict")] } };
    const d = result.decision;
    return {
      status: "ok",
      message: result.status === "duplicate" ? t("duplicate") : undefined,
      data: {
        ...toRow(d),
        fired: d.rules.map((r) => ({ id: r.id, name: r.name, score: r.score, values: r.values })),
        list_match: d.list_match ? `${d.list_match.kind}: ${d.list_match.field} = ${d.list_match.value} (${d.list_match.reason})` : null,
        fallback_reason: d.fallback_reason,
      },
    };
  });
}

const LabBatch = z.strictObject({
  runId: z.string().regex(/^demo-[a-z0-9-]{4,40}$/),
  end: z.iso.datetime(),
  from: z.number().int().min(0).max(1_000),
  to: z.number().int().min(1).max(1_000),
});

export interface LabRow extends DecisionRow {
  index: number;
  label: Demo.LabLabel;
}

/**
 * One slice of the demo scenario, replayed exactly from its run id and end time, as tests in a
 * sandbox named after the run: each transaction sees the ones before it in the run's copy of the
 * customers' profiles, and the real profiles, figures and queue stay as they were. The customers
 * pay from the deployment's country, where the seed put them.
 */
export async function runLabBatch(input: z.input<typeof LabBatch>): Promise<FormState<{ rows: LabRow[]; total: number }>> {
  return guarded("transaction.test", async () => {
    const parsed = LabBatch.safeParse(input);
    if (!parsed.success) return { status: "error", fields: await fieldErrors(parsed.error) };
    const { runId, end, from, to } = parsed.data;
    const scenario = Demo.labScenario({ runId, end: new Date(end), country: (await runtime()).env.settings.country });
    const p = await platform();
    const rows: LabRow[] = [];
    for (let i = from; i < Math.min(to, scenario.length); i++) {
      const { label, transaction } = scenario[i]!;
      const result = await p.scoring.submitTest(transaction, { sandbox: runId });
      if (result.status === "invalid") return { status: "error", message: `${transaction.transaction_id}: ${Object.keys(result.fields).join(", ")}` };
      if (result.status === "conflict") return { status: "error", message: `${transaction.transaction_id}: ${(await getTranslations("test"))("conflict")}` };
      rows.push({ ...toRow(result.decision), index: i, label });
    }
    return { status: "ok", data: { rows, total: scenario.length } };
  });
}
