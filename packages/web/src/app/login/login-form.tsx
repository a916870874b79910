"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { signIn } from "@/actions/session";
import { FormMessage, TextField } from "@/components/fields";
import { Button } from "@/components/ui";

export function LoginForm({ next }: { next: string }) {
  const t = useTranslations("login");
  const [state, action, pending] = useActionState(signIn, { status: "idle" });
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="next" value={next} />
      <TextField label={t("username")} name="username" autoComplete="username" autoCapitalize="none" required errors={state.fields} />
      <TextField label={t("password")} name="password" type="password" autoComplete="current-password" required errors={state.fields} />
      <FormMessage state={state} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("pending") : t("submit")}
      </Button>
    </form>
  );
}
