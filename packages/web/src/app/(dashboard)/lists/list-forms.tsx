"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { addListEntry, importListCsv, type ImportRow } from "@/actions/lists";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { FormMessage, SelectField, TextArea, TextField } from "@/components/fields";
import { Badge, Button, Table, Td, Th } from "@/components/ui";
import type { FormState } from "@/server/forms";

export function AddEntryForm({ kinds, fields }: { kinds: readonly string[]; fields: readonly string[] }) {
  const t = useTranslations("lists");
  return (
    <ActionForm action={addListEntry} className="space-y-3" label={t("add")}>
      {(state) => (
        <>
          <div className="grid grid-cols-2 gap-3">
            <SelectField label={t("kind")} name="kind" defaultValue="block" errors={state.fields}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {t(`kinds.${k as "allow"}`)}
                </option>
              ))}
            </SelectField>
            <SelectField label={t("field")} name="field" defaultValue="user_id" errors={state.fields}>
              {fields.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </SelectField>
          </div>
          <TextField label={t("value")} name="value" autoCapitalize="none" required errors={state.fields} />
          <TextField label={t("reason")} name="reason" required errors={state.fields} />
          <TextField label={t("expires")} name="expires_at" type="date" hint={t("expiresHint")} errors={state.fields} />
          <SubmitButton>{t("addButton")}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}

export function ImportForm() {
  const t = useTranslations("lists");
  const [state, action, pending] = useActionState<FormState<ImportRow[]>, FormData>(importListCsv, { status: "idle" });
  return (
    <div className="space-y-3">
      <form action={action} className="space-y-3" aria-label={t("import")}>
        <p className="text-xs text-slate-600">{t("importHint")}</p>
        <TextField label={t("csvFile")} name="file" type="file" accept=".csv,text/csv" className="[&_input]:py-1.5" />
        <TextArea
          label={t("csvText")}
          name="csv"
          rows={4}
          spellCheck={false}
          placeholder={"kind,field,value,reason,expires_at\nblock,device_id,device_bad,stolen phone,"}
          className="[&_textarea]:font-mono [&_textarea]:text-xs"
        />
        <Button type="submit" variant="secondary" disabled={pending}>
          {t("importButton")}
        </Button>
      </form>
      <FormMessage state={state} />
      {state.data && state.data.length > 0 ? (
        <Table caption={t("importReport", { ok: state.data.filter((r) => r.ok).length, failed: state.data.filter((r) => !r.ok).length })}>
          <thead>
            <tr>
              <Th>{t("row")}</Th>
              <Th>{t("value")}</Th>
              <Th>{t("status")}</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {state.data.map((r) => (
              <tr key={r.line}>
                <Td className="tabular">{r.line}</Td>
                <Td className="font-mono text-xs">{r.value || "—"}</Td>
                <Td>
                  <Badge tone={r.ok ? "green" : "red"}>{r.ok ? t("ok") : t("failed")}</Badge>
                  {r.messages.length ? <p className="mt-1 max-w-[16rem] text-xs break-words text-rose-800">{r.messages.join(" · ")}</p> : null}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </div>
  );
}
