"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { createApiKey, createUser, resetUserPassword, saveThresholds, updateUser } from "@/actions/settings";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { FormMessage, SelectField, TextField } from "@/components/fields";
import { Button, Code } from "@/components/ui";
import type { FormState } from "@/server/forms";

export function ThresholdsForm({
  review,
  block,
  fallback,
  budget,
  decisions,
}: {
  review: number;
  block: number;
  fallback: string;
  budget: number;
  decisions: readonly string[];
}) {
  const t = useTranslations("settings");
  const td = useTranslations("decision");
  return (
    <ActionForm action={saveThresholds} className="space-y-3" label={t("thresholds")}>
      {(state) => (
        <>
          <p className="text-xs text-slate-600">{t("thresholdsHint")}</p>
          <div className="grid grid-cols-2 gap-3">
            <TextField label={t("review")} name="review" type="number" min={1} max={100} defaultValue={review} errors={state.fields} />
            <TextField label={t("block")} name="block" type="number" min={1} max={100} defaultValue={block} errors={state.fields} />
            <SelectField label={t("fallback")} name="fallback_decision" defaultValue={fallback} errors={state.fields}>
              {decisions.map((d) => (
                <option key={d} value={d}>
                  {td(d as "APPROVED")}
                </option>
              ))}
            </SelectField>
            <TextField label={t("budget")} name="time_budget_ms" type="number" min={1} max={1000} defaultValue={budget} errors={state.fields} />
          </div>
          <SubmitButton>{t("saveThresholds")}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}

export function NewUserForm({ roles }: { roles: readonly string[] }) {
  const t = useTranslations("settings");
  const tr = useTranslations("nav.roles");
  return (
    <ActionForm action={createUser} className="space-y-3" label={t("createUser")}>
      {(state) => (
        <>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <TextField label={t("username")} name="username" autoCapitalize="none" autoComplete="off" required errors={state.fields} />
            <TextField label={t("displayName")} name="display_name" required errors={state.fields} />
            <SelectField label={t("role")} name="role" defaultValue="analyst" errors={state.fields}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {tr(r as "viewer")}
                </option>
              ))}
            </SelectField>
            <TextField label={t("password")} name="password" type="password" autoComplete="new-password" required minLength={10} errors={state.fields} />
          </div>
          <SubmitButton>{t("createUser")}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}

export function UserControls({
  id,
  username,
  role,
  disabled,
  roles,
}: {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
  roles: readonly string[];
}) {
  const t = useTranslations("settings");
  const tr = useTranslations("nav.roles");
  return (
    <div className="flex flex-wrap items-center gap-2">
      <ActionForm action={updateUser} hidden={{ id }} className="flex items-center gap-1.5" showMessage={false} label={`${t("changeRole")} ${username}`}>
        <label className="sr-only" htmlFor={`role-${id}`}>
          {t("role")} {username}
        </label>
        <select id={`role-${id}`} name="role" defaultValue={role} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs">
          {roles.map((r) => (
            <option key={r} value={r}>
              {tr(r as "viewer")}
            </option>
          ))}
        </select>
        <SubmitButton variant="secondary" size="sm" label={t("applyRole", { username })}>
          {t("apply")}
        </SubmitButton>
      </ActionForm>
      <ActionForm action={updateUser} hidden={{ id, disabled: disabled ? "false" : "true" }} showMessage={false}>
        <SubmitButton variant="ghost" size="sm" label={`${disabled ? t("enable") : t("disable")} ${username}`}>
          {disabled ? t("enable") : t("disable")}
        </SubmitButton>
      </ActionForm>
    </div>
  );
}

/** Resets another user's password; the temporary one shows here once, to be handed over. */
export function ResetPasswordForm({ id, username }: { id: string; username: string }) {
  const t = useTranslations("settings");
  const [state, action, pending] = useActionState<FormState<{ password: string }>, FormData>(resetUserPassword, { status: "idle" });
  return (
    <div className="space-y-2">
      <form action={action} aria-label={t("resetPasswordOf", { username })}>
        <input type="hidden" name="id" value={id} />
        <Button type="submit" variant="ghost" size="sm" disabled={pending} aria-label={t("resetPasswordOf", { username })}>
          {t("resetPassword")}
        </Button>
      </form>
      {state.status === "ok" && state.data ? (
        <div role="status" className="max-w-xs rounded-lg bg-emerald-50 p-2 text-xs text-emerald-900 ring-1 ring-emerald-600/20">
          <p className="mb-1">{state.message}</p>
          <Code>{state.data.password}</Code>
        </div>
      ) : (
        <FormMessage state={state} />
      )}
    </div>
  );
}

export function NewApiKeyForm({ scopes }: { scopes: readonly string[] }) {
  const t = useTranslations("settings");
  const [state, action, pending] = useActionState<FormState<{ key: string }>, FormData>(createApiKey, { status: "idle" });
  return (
    <div className="space-y-3">
      <form action={action} className="space-y-3" aria-label={t("createKey")}>
        <TextField label={t("keyName")} name="name" required errors={state.fields} />
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-slate-800">{t("scopes")}</legend>
          <div className="flex flex-wrap gap-4">
            {scopes.map((s) => (
              <label key={s} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="scopes" value={s} defaultChecked={s === "ingest"} className="size-4 rounded border-slate-400" />
                {s} <span className="text-xs text-slate-600">({t(`scopeNames.${s as "read"}`)})</span>
              </label>
            ))}
          </div>
          {state.fields?.scopes ? <p className="mt-1 text-xs font-medium text-rose-700">{state.fields.scopes.join(" · ")}</p> : null}
        </fieldset>
        <Button type="submit" disabled={pending}>
          {t("createKey")}
        </Button>
      </form>
      {state.status === "ok" && state.data ? (
        <div role="status" className="rounded-lg bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20">
          <p className="mb-2 font-medium">{state.message}</p>
          <Code>{state.data.key}</Code>
        </div>
      ) : (
        <FormMessage state={state} />
      )}
    </div>
  );
}
