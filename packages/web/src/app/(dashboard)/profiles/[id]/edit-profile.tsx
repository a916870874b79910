"use client";

import type { Profile } from "@fraud/core";
import { useTranslations } from "next-intl";
import { editProfile } from "@/actions/profiles";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { SelectField, TextField } from "@/components/fields";

export type EditableProfile = Pick<Profile.Profile, "user_id" | "risk_level" | "last_device_id" | "last_location" | "email" | "phone">;

export function EditProfileForm({ profile, riskLevels }: { profile: EditableProfile; riskLevels: readonly string[] }) {
  const t = useTranslations("profiles");
  return (
    <ActionForm action={editProfile} hidden={{ user_id: profile.user_id }} className="space-y-3" label={t("edit")}>
      {(state) => (
        <>
          <SelectField label={t("risk_level")} name="risk_level" defaultValue={profile.risk_level} errors={state.fields}>
            {riskLevels.map((r) => (
              <option key={r} value={r}>
                {t(`risk.${r as "LOW"}`)}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t("last_device_id")}
            name="last_device_id"
            defaultValue={profile.last_device_id ?? ""}
            autoCapitalize="none"
            hint={t("clearHint")}
            errors={state.fields}
          />
          <TextField label={t("last_location")} name="last_location" defaultValue={profile.last_location ?? ""} hint={t("clearHint")} errors={state.fields} />
          <TextField label={t("email")} name="email" type="email" defaultValue={profile.email ?? ""} autoCapitalize="none" errors={state.fields} />
          <TextField label={t("phone")} name="phone" type="tel" defaultValue={profile.phone ?? ""} errors={state.fields} />
          <SubmitButton>{t("save")}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
