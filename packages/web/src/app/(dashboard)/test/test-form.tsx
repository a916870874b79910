"use client";

import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useActionState, useState } from "react";
import { testTransaction, type TestedDecision } from "@/actions/test";
import { DecisionBadge } from "@/components/decision-badge";
import { FormMessage, SelectField, TextField } from "@/components/fields";
import { Badge, Button, Card, Code } from "@/components/ui";
import { money } from "@/lib/format";
import type { FormState } from "@/server/forms";
import type { Preset } from "@/server/test-presets";

const TEXT_FIELDS = ["merchant_id", "merchant_category", "device_id", "location", "counterparty_id", "ip_address"] as const;
const MORE_FIELDS = ["balance_before", "balance_after", "latitude", "longitude", "transaction_id", "timestamp"] as const;
type Values = Record<string, string>;

function toValues(p: Preset): Values {
  return Object.fromEntries(Object.entries(p.transaction).map(([k, v]) => [k, v === undefined ? "" : String(v)]));
}

export function TestForm({ presets, customers, types, currency }: { presets: Preset[]; customers: string[]; types: readonly string[]; currency: string }) {
  const t = useTranslations("test");
  const format = useFormatter();
  const [values, setValues] = useState<Values>(() => (presets[0] ? toValues(presets[0]) : {}));
  const [state, action, pending] = useActionState<FormState<TestedDecision>, FormData>(testTransaction, { status: "idle" });
  const bind = (name: string) => ({
    name,
    value: values[name] ?? "",
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value })),
  });
  const result = state.status === "ok" ? state.data : undefined;
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-5">
      <Card title={t("title")} className="lg:col-span-3">
        <div className="mb-4 flex flex-wrap items-center gap-2" role="group" aria-label={t("presets")}>
          <span className="text-sm font-medium text-slate-700">{t("presets")} :</span>
          {presets.map((p) => (
            <Button key={p.label} type="button" variant="secondary" size="sm" onClick={() => setValues(toValues(p))}>
              {t(`preset.${p.label}`)}
            </Button>
          ))}
        </div>
        <form action={action} className="space-y-4" noValidate>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <TextField label={t("fields.user_id")} list="demo-customers" autoCapitalize="none" errors={state.fields} {...bind("user_id")} />
            <datalist id="demo-customers">
              {customers.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
            <TextField label={t("fields.amount")} inputMode="decimal" errors={state.fields} {...bind("amount")} />
            {TEXT_FIELDS.map((f) => (
              <TextField key={f} label={t(`fields.${f}`)} autoCapitalize="none" errors={state.fields} {...bind(f)} />
            ))}
            <SelectField label={t("fields.type")} errors={state.fields} {...bind("type")}>
              <option value="">{t("none")}</option>
              {types.map((ty) => (
                <option key={ty} value={ty}>
                  {ty}
                </option>
              ))}
            </SelectField>
            <TextField
              label={t("fields.currency")}
              hint={t("currencyHint", { currency })}
              autoCapitalize="characters"
              maxLength={3}
              errors={state.fields}
              {...bind("currency")}
            />
          </div>
          <details className="rounded-lg border border-slate-200 px-3 py-2" open={MORE_FIELDS.some((f) => state.fields?.[f])}>
            <summary className="cursor-pointer text-sm font-medium text-slate-700">{t("more")}</summary>
            <div className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2">
              {MORE_FIELDS.map((f) => (
                <TextField key={f} label={t(`fields.${f}`)} autoCapitalize="none" errors={state.fields} {...bind(f)} />
              ))}
            </div>
          </details>
          {state.status === "error" ? <FormMessage state={state} /> : null}
          <Button type="submit" disabled={pending}>
            {pending ? t("pending") : t("submit")}
          </Button>
        </form>
      </Card>
      <div className="lg:col-span-2">
        <Card title={t("result")}>
          <div role="status" aria-live="polite">
            {result ? (
              <div className="space-y-4">
                {state.message ? <p className="text-sm text-slate-600">{state.message}</p> : null}
                <div className="flex flex-wrap items-center gap-3">
                  <Badge tone="blue">{t("badge")}</Badge>
                  <span className="text-lg">
                    <DecisionBadge decision={result.decision} />
                  </span>
                  <span className="tabular text-sm font-semibold text-slate-800">{t("score", { score: result.score })}</span>
                  <span className="tabular text-sm text-slate-600">{money(format, result.amount, result.currency)}</span>
                </div>
                <div>
                  <h3 className="mb-2 text-sm font-semibold text-slate-800">{t("reasons")}</h3>
                  {result.fired.length === 0 && !result.list_match ? <p className="text-sm text-slate-600">{t("noReasons")}</p> : null}
                  <ul className="space-y-2">
                    {result.list_match ? <li className="text-sm text-slate-800">{result.list_match}</li> : null}
                    {result.fired.map((r) => (
                      <li key={r.id} className="rounded-lg border border-slate-200 p-2 text-sm">
                        <p className="flex justify-between gap-2 font-medium text-slate-900">
                          <span>{r.name}</span>
                          <span className="tabular text-rose-700">+{r.score}</span>
                        </p>
                        <p className="mt-1 flex flex-wrap gap-1">
                          {Object.entries(r.values).map(([k, v]) => (
                            <Code key={k}>
                              {k} = {v === null ? "null" : typeof v === "number" ? Math.round(v * 100) / 100 : String(v)}
                            </Code>
                          ))}
                        </p>
                      </li>
                    ))}
                  </ul>
                  {result.fallback_reason ? <p className="mt-2 text-sm text-amber-800">{result.fallback_reason}</p> : null}
                </div>
                <Link href={`/transactions/${encodeURIComponent(result.transaction_id)}`} className="text-sm font-medium text-brand-700 hover:underline">
                  {t("detail")} → <span className="font-mono text-xs">{result.transaction_id}</span>
                </Link>
              </div>
            ) : (
              <p className="text-sm text-slate-600">—</p>
            )}
          </div>
        </Card>
      </div>
    </div>
  );
}
