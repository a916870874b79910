import { can, RISK_LEVELS, summary30d } from "@fraud/core";
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
import { personalData } from "@/server/personal-data";
import { runtime } from "@/server/runtime";
import { EditProfileForm } from "./edit-profile";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).id) };
}

export default async function ProfilePage({ params }: Props) {
  const user = await requireUser();
  const id = decodeURIComponent((await params).id);
  const rt = await runtime();
  const p = rt.platform;
  const profile = await p.profiles.get(id);
  if (!profile) notFound();
  const [history, decisions] = await Promise.all([p.auditTrail.list({ entity: "profile", entity_id: id, limit: 50 }), p.decisions.search({ user_id: id, limit: 10 })]);
  const t = await getTranslations("profiles");
  const tq = await getTranslations("decisions");
  const format = await getFormatter();
  const s = summary30d(profile, Date.now());
  const currency = rt.env.settings.currency;
  const show = personalData(user);
  return (
    <>
      <nav aria-label="breadcrumb" className="mb-2 text-sm">
        <Link href="/profiles" className="text-brand-700 hover:underline">
          ← {t("back")}
        </Link>
      </nav>
      <PageHeader title={profile.user_id} actions={<Badge tone={RISK_TONE[profile.risk_level]}>{t(`risk.${profile.risk_level}`)}</Badge>} />
      <div className="grid items-start gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card>
            <KeyValues
              columns={3}
              items={[
                [t("risk_level"), t(`risk.${profile.risk_level}`)],
                [t("email"), profile.email ? show(profile.email) : "—"],
                [t("phone"), profile.phone ? show(profile.phone) : "—"],
                [t("last_device_id"), <span key="d" className="font-mono text-xs">{profile.last_device_id ?? "—"}</span>],
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
                    <Td className="tabular text-right whitespace-nowrap">{money(format, d.transaction.amount, d.transaction.currency)}</Td>
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
                    <AuditChange before={h.before} after={h.after} mask={show} />
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>
        <Card title={t("edit")}>{can(user.role, "profile.edit") ? <EditProfileForm profile={{ user_id: profile.user_id, risk_level: profile.risk_level, last_device_id: profile.last_device_id, last_location: profile.last_location, email: profile.email, phone: profile.phone }} riskLevels={RISK_LEVELS} /> : <Alert tone="gray">{t("readOnly")}</Alert>}</Card>
      </div>
    </>
  );
}
