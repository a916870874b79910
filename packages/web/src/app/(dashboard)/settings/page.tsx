import { API_KEY_SCOPES, can, DECISIONS, ROLES } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTimeZone, getTranslations } from "next-intl/server";
import { revokeApiKey } from "@/actions/settings";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { KeyValues } from "@/components/key-values";
import { Alert, Badge, Card, PageHeader, Table, Td, Th } from "@/components/ui";
import { money, when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { rulesState, workingContent } from "@/server/rules";
import { runtime } from "@/server/runtime";
import { PasswordForm } from "@/components/password-form";
import { NewApiKeyForm, NewUserForm, ResetPasswordForm, ThresholdsForm, UserControls } from "./settings-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("title") };
}

export default async function SettingsPage() {
  const user = await requireUser();
  const t = await getTranslations("settings");
  const tr = await getTranslations("nav.roles");
  const format = await getFormatter();
  const rt = await runtime();
  const s = rt.env.settings;
  const admin = can(user.role, "settings.edit");
  const [{ live }, users, keys] = await Promise.all([rulesState(), admin ? rt.platform.users.list() : Promise.resolve([]), admin ? rt.platform.apiKeys.list() : Promise.resolve([])]);
  const content = workingContent(live);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {!admin ? (
        <div className="mb-4">
          <Alert tone="gray">{t("adminOnly")}</Alert>
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title={t("deployment")}>
          <KeyValues
            items={[
              [t("currency"), `${s.currency} (${money(format, 1234567, s.currency)})`],
              [t("timeZone"), s.timeZone],
              [t("yourTimeZone"), await getTimeZone()],
              [t("maxAmount"), money(format, s.maxAmount, s.currency)],
              [t("engine"), "SQLite (WAL) · DuckDB"],
            ]}
          />
          <p className="mt-3 text-xs text-slate-600">{t("fromEnv")}</p>
        </Card>
        <Card title={t("thresholds")}>
          {admin ? (
            <ThresholdsForm review={content.thresholds.review} block={content.thresholds.block} fallback={content.fallback_decision} budget={content.time_budget_ms} decisions={DECISIONS} />
          ) : (
            <KeyValues
              items={[
                [t("review"), String(content.thresholds.review)],
                [t("block"), String(content.thresholds.block)],
                [t("fallback"), content.fallback_decision],
                [t("budget"), String(content.time_budget_ms)],
              ]}
            />
          )}
        </Card>
        <Card title={t("yourPassword")}>
          <p className="mb-3 text-xs text-slate-600">{(await getTranslations("password"))("hint")}</p>
          <PasswordForm />
        </Card>
        {admin ? (
          <>
            <Card title={t("users")} className="lg:col-span-2" bodyClassName="space-y-4">
              <Table caption={t("list")}>
                <thead>
                  <tr>
                    <Th>{t("username")}</Th>
                    <Th className="hidden sm:table-cell">{t("displayName")}</Th>
                    <Th>{t("role")}</Th>
                    <Th>{t("status")}</Th>
                    <Th>{t("changeRole")}</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {users.map((u) => (
                    <tr key={u.id}>
                      <Td className="font-medium">{u.username}</Td>
                      <Td className="hidden sm:table-cell">{u.display_name}</Td>
                      <Td>{tr(u.role)}</Td>
                      <Td>
                        <div className="flex flex-wrap gap-1">
                          <Badge tone={u.disabled_at ? "gray" : "green"}>{u.disabled_at ? t("disabled") : t("active")}</Badge>
                          {u.must_change_password ? <Badge tone="amber">{t("mustChange")}</Badge> : null}
                        </div>
                      </Td>
                      <Td>
                        {u.id !== user.id ? (
                          <div className="space-y-2">
                            <UserControls id={u.id} username={u.username} role={u.role} disabled={u.disabled_at !== null} roles={ROLES} />
                            <ResetPasswordForm id={u.id} username={u.username} />
                          </div>
                        ) : (
                          <span className="text-xs text-slate-600">—</span>
                        )}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <div className="border-t border-slate-100 pt-4">
                <h3 className="mb-3 text-sm font-semibold text-slate-800">{t("createUser")}</h3>
                <NewUserForm roles={ROLES} />
              </div>
            </Card>
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
                      <Td className="font-medium">{k.name}</Td>
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
                <NewApiKeyForm scopes={API_KEY_SCOPES} />
              </div>
            </Card>
          </>
        ) : null}
      </div>
    </>
  );
}
