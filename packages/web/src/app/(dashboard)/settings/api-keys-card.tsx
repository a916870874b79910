import { User } from "@fraud/core";
import { getFormatter, getTranslations } from "next-intl/server";
import { revokeApiKey } from "@/actions/settings";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Badge, Card, Table, Td, Th } from "@/components/ui";
import { when } from "@/lib/format";
import { runtime } from "@/server/runtime";
import { NewApiKeyForm } from "./settings-forms";

/** The API keys payment systems call with, and the form that makes one; admins only. */
export async function ApiKeysCard({ me }: { me: Pick<User.User, "role"> }) {
  if (!User.can(me.role, "settings.edit")) return null;
  const t = await getTranslations("settings");
  const format = await getFormatter();
  const keys = await (await runtime()).platform.apiKeys.list();
  return (
    <Card title={t("apiKeys")} className="lg:col-span-2" bodyClassName="space-y-4">
      <Table caption={t("keys")}>
        <thead>
          <tr>
            <Th>{t("keyName")}</Th>
            <Th>{t("scopes")}</Th>
            <Th className="hidden sm:table-cell">{t("created")}</Th>
            <Th>{t("status")}</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.map((k) => (
            <tr key={k.id}>
              <Td className="font-medium break-all">{k.name}</Td>
              <Td className="font-mono text-xs">{k.scopes.join(", ")}</Td>
              <Td className="hidden text-xs text-slate-600 sm:table-cell">{when(format, k.created_at)}</Td>
              <Td>
                {k.revoked_at ? (
                  <Badge tone="gray">{t("revoked")}</Badge>
                ) : (
                  <ActionForm action={revokeApiKey} hidden={{ id: k.id }} showMessage={false}>
                    <SubmitButton variant="ghost" size="sm" label={`${t("revoke")} ${k.name}`}>
                      {t("revoke")}
                    </SubmitButton>
                  </ActionForm>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div className="border-t border-slate-100 pt-4">
        <NewApiKeyForm scopes={User.API_KEY_SCOPES} />
      </div>
    </Card>
  );
}
