import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { publishVersion, rollbackToVersion } from "@/actions/rules";
import { ActionForm, SubmitButton } from "@/components/action-form";
import { Badge, Card, PageHeader, Table, Td, Th } from "@/components/ui";
import { when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { rulesState } from "@/server/rules";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("rules"))("history") };
}

export default async function VersionsPage() {
  const user = await requireUser();
  const t = await getTranslations("rules");
  const format = await getFormatter();
  const { versions, live } = await rulesState();
  const canPublish = User.can(user.role, "rule.publish");
  return (
    <>
      <nav aria-label="breadcrumb" className="mb-2 text-sm">
        <Link href="/rules" className="text-brand-700 hover:underline">
          ← {t("title")}
        </Link>
      </nav>
      <PageHeader title={t("history")} description={live ? t("live", { version: live.version }) : t("noLive")} />
      <Card bodyClassName="p-0 sm:p-2">
        <Table caption={t("history")}>
          <thead>
            <tr>
              <Th>{t("version")}</Th>
              <Th>{t("status")}</Th>
              <Th>{t("note")}</Th>
              <Th className="hidden sm:table-cell">{t("created")}</Th>
              <Th className="hidden md:table-cell">{t("publishedAt")}</Th>
              <Th>{t("actions")}</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {versions.map((v) => (
              <tr key={v.version}>
                <Td className="tabular font-semibold">
                  <Link href={`/rules/versions/${v.version}`} className="text-brand-700 hover:underline">
                    v{v.version}
                  </Link>
                </Td>
                <Td>
                  <Badge tone={v.status === "published" ? "green" : v.status === "draft" ? "amber" : "gray"}>{t(`statuses.${v.status}`)}</Badge>
                </Td>
                <Td className="max-w-xs text-slate-700">{v.note || "—"}</Td>
                <Td className="hidden text-xs whitespace-nowrap text-slate-600 sm:table-cell">
                  {when(format, v.created_at)} · {t("by", { who: v.created_by })}
                </Td>
                <Td className="hidden text-xs whitespace-nowrap text-slate-600 md:table-cell">
                  {v.published_at ? `${when(format, v.published_at)} · ${t("by", { who: v.published_by ?? "" })}` : "—"}
                </Td>
                <Td>
                  <div className="flex flex-nowrap gap-1.5">
                    <Link href={`/rules/versions/${v.version}`} className="rounded-md px-2 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50">
                      {t("viewDiff")}
                    </Link>
                    {canPublish && v.status === "draft" ? (
                      <ActionForm action={publishVersion} hidden={{ version: String(v.version) }} showMessage={false}>
                        <SubmitButton size="sm">{t("publish", { version: v.version })}</SubmitButton>
                      </ActionForm>
                    ) : null}
                    {canPublish && v.published_at && v.version !== live?.version ? (
                      <ActionForm action={rollbackToVersion} hidden={{ version: String(v.version) }} showMessage={false}>
                        <SubmitButton variant="secondary" size="sm" label={`${t("rollback")} v${v.version}`}>
                          {t("rollback")}
                        </SubmitButton>
                      </ActionForm>
                    ) : null}
                  </div>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
