"use client";

import { useTranslations } from "next-intl";
import Link from "next/link";
import { useActionState, useState } from "react";
import { saveReport } from "@/actions/analytics";
import { FormMessage, SelectField, TextArea, TextField } from "@/components/fields";
import { Button, Card, buttonClass } from "@/components/ui";
import type { ReportParameterType, SavedReport } from "@/server/analytics";
import type { FormState } from "@/server/forms";

const PARAMETER_TYPES: ReportParameterType[] = ["date", "string", "integer", "number"];
const CHART_KINDS: SavedReport["chart"]["kind"][] = ["table", "stat", "bar", "line", "stacked_bar"];

export interface ReportDraft {
  name: string;
  title: string;
  description: string;
  sql: string;
  parameters: Array<{ name: string; type: ReportParameterType; label: string; description: string; default: string }>;
  chart: { kind: SavedReport["chart"]["kind"]; x: string; y: string };
}

type ParameterRow = ReportDraft["parameters"][number] & { key: number };

/** Errors under a path (`chart.y.2`) are shown on the field that holds it (`chart.y`). */
function gather(fields: Record<string, string[]> | undefined, into: string, prefix: string): Record<string, string[]> {
  const out: Record<string, string[]> = { ...fields };
  const extra = Object.entries(fields ?? {})
    .filter(([k]) => k.startsWith(prefix))
    .flatMap(([, m]) => m);
  if (extra.length) out[into] = [...(fields?.[into] ?? []), ...extra];
  return out;
}

/**
 * An analyst's own report: its SQL (one SELECT over `decisions` and `labels`, named parameters such
 * as `:from`), its typed parameters and its chart. Every field stays as typed when the server
 * answers with errors; saved, the report opens ready to run.
 */
export function ReportEditor({ initial }: { initial: ReportDraft }) {
  const t = useTranslations("reportEditor");
  const [state, action, pending] = useActionState<FormState, FormData>(saveReport, { status: "idle" });
  const [values, setValues] = useState(initial);
  const [rows, setRows] = useState<ParameterRow[]>(() => initial.parameters.map((p, key) => ({ ...p, key })));
  const [nextKey, setNextKey] = useState(initial.parameters.length);
  const errors = gather(state.fields, "chart.y", "chart.y.");
  const set = (k: keyof Omit<ReportDraft, "parameters" | "chart">) => (e: { target: { value: string } }) => setValues({ ...values, [k]: e.target.value });
  const setChart = (k: keyof ReportDraft["chart"]) => (e: { target: { value: string } }) =>
    setValues({ ...values, chart: { ...values.chart, [k]: e.target.value } });
  const setRow = (key: number, k: keyof ReportDraft["parameters"][number], value: string) =>
    setRows(rows.map((r) => (r.key === key ? { ...r, [k]: value } : r)));

  function addRow() {
    setRows([...rows, { key: nextKey, name: "", type: "date", label: "", description: "", default: "" }]);
    setNextKey(nextKey + 1);
  }

  return (
    <Card>
      <form action={action} className="space-y-5" aria-label={t("formLabel")} noValidate>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <TextField
            label={t("name")}
            name="name"
            value={values.name}
            onChange={set("name")}
            required
            hint={t("nameHint")}
            autoCapitalize="none"
            spellCheck={false}
            errors={errors}
          />
          <TextField label={t("title")} name="title" value={values.title} onChange={set("title")} required errors={errors} />
        </div>
        <TextArea label={t("descriptionField")} name="description" value={values.description} onChange={set("description")} rows={2} errors={errors} />

        <fieldset className="space-y-3">
          <legend className="text-sm font-medium text-slate-800">{t("parameters")}</legend>
          <p className="text-xs text-slate-600">{t("parametersHint")}</p>
          {errors.parameters ? <p className="text-xs font-medium text-rose-700">{errors.parameters.join(" · ")}</p> : null}
          {rows.map((row, i) => (
            <div
              key={row.key}
              role="group"
              aria-label={t("parameterN", { n: i + 1 })}
              className="grid grid-cols-1 items-start gap-2 rounded-lg border border-slate-200 p-3 sm:grid-cols-[1fr_8rem_1fr_1fr_auto]"
            >
              <TextField
                label={t("parameterName")}
                id={`p-${row.key}-name`}
                name={`parameters.${i}.name`}
                value={row.name}
                onChange={(e) => setRow(row.key, "name", e.target.value)}
                spellCheck={false}
                errors={errors}
              />
              <SelectField
                label={t("parameterType")}
                id={`p-${row.key}-type`}
                name={`parameters.${i}.type`}
                value={row.type}
                onChange={(e) => setRow(row.key, "type", e.target.value)}
                errors={errors}
              >
                {PARAMETER_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`types.${type}`)}
                  </option>
                ))}
              </SelectField>
              <TextField
                label={t("parameterLabel")}
                id={`p-${row.key}-label`}
                name={`parameters.${i}.label`}
                value={row.label}
                onChange={(e) => setRow(row.key, "label", e.target.value)}
                errors={errors}
              />
              <TextField
                label={t("parameterDefault")}
                id={`p-${row.key}-default`}
                name={`parameters.${i}.default`}
                value={row.default}
                onChange={(e) => setRow(row.key, "default", e.target.value)}
                hint={row.type === "date" ? "today-30, 2025-06-01" : undefined}
                errors={errors}
              />
              <Button
                type="button"
                variant="ghost"
                size="sm"
                className="sm:mt-6"
                onClick={() => setRows(rows.filter((r) => r.key !== row.key))}
                aria-label={t("removeParameter", { n: i + 1 })}
              >
                {t("remove")}
              </Button>
            </div>
          ))}
          <Button type="button" variant="secondary" size="sm" onClick={addRow}>
            {t("addParameter")}
          </Button>
        </fieldset>

        <TextArea
          label={t("sql")}
          name="sql"
          value={values.sql}
          onChange={set("sql")}
          rows={12}
          spellCheck={false}
          autoCapitalize="none"
          autoCorrect="off"
          className="[&_textarea]:font-mono [&_textarea]:text-xs"
          hint={t("sqlHint")}
          errors={errors}
          required
        />

        <fieldset className="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <legend className="mb-2 text-sm font-medium text-slate-800">{t("chart")}</legend>
          <SelectField label={t("chartKind")} name="chart.kind" value={values.chart.kind} onChange={setChart("kind")} errors={errors}>
            {CHART_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kinds.${kind}`)}
              </option>
            ))}
          </SelectField>
          <TextField label={t("chartX")} name="chart.x" value={values.chart.x} onChange={setChart("x")} spellCheck={false} errors={errors} />
          <TextField
            label={t("chartY")}
            name="chart.y"
            value={values.chart.y}
            onChange={setChart("y")}
            spellCheck={false}
            hint={t("chartYHint")}
            errors={errors}
          />
        </fieldset>

        <FormMessage state={state} />
        <div className="flex gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? t("saving") : t("save")}
          </Button>
          <Link href="/reports" className={buttonClass("secondary")}>
            {t("cancel")}
          </Link>
        </div>
      </form>
    </Card>
  );
}
