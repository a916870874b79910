"use client";

import { useTranslations } from "next-intl";
import { changePassword } from "@/actions/account";
import { ActionForm, SubmitButton } from "./action-form";
import { TextField } from "./fields";

/** Changes the signed-in user's own password; `next` is where one who had to change it goes after. */
export function PasswordForm({ temporary = false, next }: { temporary?: boolean; next?: string }) {
  const t = useTranslations("password");
  return (
    <ActionForm action={changePassword} hidden={next ? { next } : undefined} className="space-y-4" label={t("title")}>
      {(state) => (
        <>
          <TextField
            label={temporary ? t("currentTemporary") : t("current")}
            name="current_password"
            type="password"
            autoComplete="current-password"
            required
            errors={state.fields}
          />
          <TextField
            label={t("new")}
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            hint={t("policy")}
            errors={state.fields}
          />
          <TextField label={t("confirm")} name="confirm_password" type="password" autoComplete="new-password" required minLength={10} errors={state.fields} />
          <SubmitButton className="w-full">{t("submit")}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
