"use client";

import { useTranslations } from "next-intl";
import Link from "next/link";
import { useActionState, useEffect, useRef, useState } from "react";
import { checkRuleExpression, saveRule, type ExpressionStatus } from "@/actions/rules";
import { FormMessage, TextArea, TextField } from "@/components/fields";
import { Button, Card, buttonClass, cx } from "@/components/ui";
import type { FormState } from "@/server/forms";
import type { FeatureInfo } from "@/server/rules";

export interface RuleValues {
  id: string;
  name: string;
  description: string;
  expression: string;
  score: number;
  enabled: boolean;
}

/** The expression with the failing part marked, so the position of an error is visible. */
function Marked({ expression, start, end }: { expression: string; start: number; end: number }) {
  const to = Math.max(end, start + 1);
  return (
    <pre aria-hidden="true" className="mt-2 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs whitespace-pre-wrap text-slate-100">
      {expression.slice(0, start)}
      <mark className="rounded-sm bg-rose-500 px-0.5 text-white">{expression.slice(start, to) || " "}</mark>
      {expression.slice(to)}
    </pre>
  );
}

export function RuleEditor({ initial, features, editing }: { initial: RuleValues; features: FeatureInfo[]; editing: boolean }) {
  const t = useTranslations("rules");
  const [state, action, pending] = useActionState<FormState, FormData>(saveRule, { status: "idle" });
  const [expression, setExpression] = useState(initial.expression);
  const [status, setStatus] = useState<ExpressionStatus | null>(null);
  const [checking, setChecking] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!expression.trim()) {
      setStatus(null);
      return;
    }
    let cancelled = false;
    setChecking(true);
    const timer = setTimeout(async () => {
      const result = await checkRuleExpression(expression);
      if (!cancelled) {
        setStatus(result);
        setChecking(false);
      }
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [expression]);

  function insert(name: string) {
    const el = area.current;
    const at = el?.selectionStart ?? expression.length;
    const end = el?.selectionEnd ?? at;
    const next = `${expression.slice(0, at)}${name}${expression.slice(end)}`;
    setExpression(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + name.length, at + name.length);
    });
  }

  const liveError = status && !status.ok ? t("errorAt", { position: status.start + 1, message: status.message }) : null;
  // The live check speaks for the expression as it is now; the last save's answer for the rest.
  const errors: Record<string, string[]> = { ...(state.fields ?? {}) };
  if (liveError) errors.expression = [liveError];
  else if (status?.ok) delete errors.expression;
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
      <Card className="lg:col-span-2">
        <form action={action} className="space-y-4" noValidate>
          {editing ? <input type="hidden" name="original_id" value={initial.id} /> : null}
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <TextField
              label={t("id")}
              name="id"
              defaultValue={initial.id}
              readOnly={editing}
              required
              hint={t("idHint")}
              autoCapitalize="characters"
              errors={state.fields}
            />
            <TextField label={t("name")} name="name" defaultValue={initial.name} required errors={state.fields} />
          </div>
          <TextArea label={t("descriptionField")} name="description" defaultValue={initial.description} rows={2} errors={state.fields} />
          <div>
            <TextArea
              ref={area}
              label={t("expression")}
              name="expression"
              value={expression}
              onChange={(e) => setExpression(e.target.value)}
              rows={4}
              spellCheck={false}
              className="[&_textarea]:font-mono"
              errors={errors}
              required
            />
            <p role="status" aria-live="polite" className={cx("mt-1 text-xs", status?.ok ? "text-emerald-700" : "text-slate-600")}>
              {checking
                ? t("checking")
                : status?.ok
                  ? `✓ ${t("valid")}${status.reads.length ? ` · ${t("reads", { features: status.reads.join(", ") })}` : ""}`
                  : ""}
            </p>
            {status && !status.ok ? <Marked expression={expression} start={status.start} end={status.end} /> : null}
          </div>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <TextField
              label={t("score")}
              name="score"
              type="number"
              min={0}
              max={100}
              step={1}
              defaultValue={initial.score}
              required
              hint={t("scoreHint")}
              errors={state.fields}
            />
            <label className="flex items-center gap-2 self-center text-sm font-medium text-slate-800 sm:mt-6">
              <input type="checkbox" name="enabled" defaultChecked={initial.enabled} className="size-4 rounded border-slate-400" />
              {t("enabled")}
            </label>
          </div>
          <FormMessage state={state} />
          <div className="flex gap-2">
            <Button type="submit" disabled={pending}>
              {pending ? t("saving") : t("save")}
            </Button>
            <Link href="/rules" className={buttonClass("secondary")}>
              {t("cancel")}
            </Link>
          </div>
        </form>
      </Card>
      <Card title={t("features")}>
        <p className="mb-3 text-xs text-slate-600">{t("featuresHint")}</p>
        <ul className="max-h-[32rem] space-y-1 overflow-y-auto pr-1">
          {features.map((f) => (
            <li key={f.name}>
              <button type="button" onClick={() => insert(f.name)} className="w-full rounded-md px-2 py-1.5 text-left hover:bg-slate-100">
                <span className="flex items-center gap-2">
                  <span className="font-mono text-xs font-semibold text-slate-900">{f.name}</span>
                  <span className="text-[0.7rem] text-slate-600">
                    {f.type}
                    {f.nullable ? ` · ${t("nullable")}` : ""}
                  </span>
                </span>
                <span className="block text-xs text-slate-600">{f.description}</span>
              </button>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
