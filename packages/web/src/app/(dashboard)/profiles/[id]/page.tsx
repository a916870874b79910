import { Profile, User } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditChange } from "@/components/audit-change";
import { DecisionBadge } from "@/components/decision-badge";
import { KeyValues } from "@/components/key-values";
import { Alert, Badge, Card, PageHeader, RISK_TONE, Table, Td, Th } from "@/components/ui";
import { money, when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { profileDetail } from "@/server/profiles";
import { runtime } from "@/server/runtime";
import { EditProfileForm } from "./edit-profile";

type Props = { params: Promise<{ id: string }> };

/** The customer as the reader may see them: a viewer's tab title never holds a phone number either. */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const detail = await profileDetail(user, (await params).id);
  return { title: detail?.customer.label ?? (await getTranslations("profiles"))("title") };
}

export default async function ProfilePage({ params }: Props) {
  const user = await requireUser();
  const detail = await profileDetail(user, (await params).id);
  if (!detail) notFound();
  const { customer, profile, history, decisions } = detail;
  const rt = await runtime();
  const t = await getTranslations("profiles");
  const tq = await getTranslations("decisions");
  const format = await getFormatter();
  const s = Profile.summary30d(profile, Date.now());
  const currency = rt.env.settings.currency;
  return (
    <>
      <nav aria-label="breadcrumb" className="mb-2 text-sm">
        <Link href="/profiles" className="text-brand-700 hover:underline">
          ← {t("back")}
        </Link>
      </nav>
      <PageHeader title={customer.label} actions={<Badge tone={RISK_TONE[profile.risk_level]}>{t(`risk.${profile.risk_level}`)}</Badge>} />
      <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card>
            <KeyValues
              columns={3}
              items={[
                [t("risk_level"), t(`risk.${profile.risk_level}`)],
                [t("email"), profile.email || "—"],
                [t("phone"), profile.phone || "—"],
                [
                  t("last_device_id"),
                  <span key="d" className="font-mono text-xs">
                    {profile.last_device_id ?? "—"}
                  </span>,
                ],
                [t("last_location"), profile.last_location ?? "—"],
                [t("last_transaction_at"), profile.last_transaction_at ? when(format, profile.last_transaction_at, "long") : "—"],
                [t("tx30"), String(s.transaction_count_30d)],
                [t("avg30"), money(format, s.avg_transaction_30d, currency)],
                [t("account_created"), when(format, profile.account_created, "long")],
                [t("knownDevices"), profile.known_devices.join(", ") || "—"],
                [t("updated"), when(format, profile.updated_at, "long")],
                [t("version"), String(profile.version)],
              ]}
            />
          </Card>
          <Card title={t("recent")} bodyClassName="p-0 sm:p-2">
            <Table caption={t("recent")}>
              <thead>
                <tr>
                  <Th>{tq("time")}</Th>
                  <Th>{tq("transaction")}</Th>
                  <Th className="text-right">{tq("amount")}</Th>
                  <Th>{tq("decision")}</Th>
                  <Th className="text-right">{tq("score")}</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {decisions.map((d) => (
                  <tr key={d.transaction_id}>
                    <Td className="tabular whitespace-nowrap text-slate-600">{when(format, d.decided_at)}</Td>
                    <Td className="max-w-[12rem] truncate font-mono text-xs">
                      <Link href={`/transactions/${encodeURIComponent(d.transaction_id)}`} className="text-brand-700 hover:underline">
                        {d.transaction_id}
                      </Link>
                    </Td>
                    <Td className="tabular text-right whitespace-nowrap">{money(format, d.amount, d.currency)}</Td>
                    <Td>
                      <DecisionBadge decision={d.decision} />
                    </Td>
                    <Td className="tabular text-right">{d.score}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
          <Card title={t("history")}>
            {history.length === 0 ? (
              <p className="text-sm text-slate-600">{t("noHistory")}</p>
            ) : (
              <ol className="space-y-3">
                {history.map((h) => (
                  <li key={h.id} className="border-l-2 border-slate-200 pl-3">
                    <p className="text-xs text-slate-600">
                      {when(format, h.at, "long")} · {h.actor}
                    </p>
                    <AuditChange before={h.before} after={h.after} />
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>
        {/* Editors read personal data as stored (profile.edit and personal.read are both analyst and up), so the form starts from the real values. */}
        <Card title={t("edit")}>
          {User.can(user.role, "profile.edit") ? (
            <EditProfileForm
              profile={{
                user_id: profile.user_id,
                risk_level: profile.risk_level,
                last_device_id: profile.last_device_id,
                last_location: profile.last_location,
                email: profile.email,
                phone: profile.phone,
              }}
              riskLevels={Profile.RISK_LEVELS}
            />
          ) : (
            <Alert tone="gray">{t("readOnly")}</Alert>
          )}
        </Card>
      </div>
    </>
  );
}
