import { User } from "@fraud/core";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { TextField } from "@/components/fields";
import { Badge, Card, PageHeader, RISK_TONE, TableCard, Td, Th, buttonClass } from "@/components/ui";
import { money, when } from "@/lib/format";
import { requireUser } from "@/server/auth";
import { searchProfiles } from "@/server/profiles";
import { runtime } from "@/server/runtime";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("profiles"))("title") };
}

export default async function ProfilesPage({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const user = await requireUser();
  const t = await getTranslations("profiles");
  const format = await getFormatter();
  const q = ((await searchParams).q ?? "").trim().slice(0, 128);
  const rt = await runtime();
  const rows = await searchProfiles(user, q);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Card className="mb-4">
        <form method="get" role="search" aria-label={t("search")} className="flex flex-wrap items-end gap-3">
          <TextField label={t("searchLabel")} name="q" type="search" defaultValue={q} autoCapitalize="none" className="min-w-56 flex-1" />
          <button type="submit" className={buttonClass("primary")}>
            {t("searchButton")}
          </button>
        </form>
        {User.can(user.role, "personal.read") ? null : <p className="mt-2 text-xs text-slate-600">{t("searchWhole")}</p>}
      </Card>
      <TableCard caption={t("list")} empty={t("empty")} isEmpty={rows.length === 0}>
        <thead>
          <tr>
            <Th>{t("user")}</Th>
            <Th>{t("risk_level")}</Th>
            <Th className="hidden md:table-cell">{t("email")}</Th>
            <Th className="hidden lg:table-cell">{t("last_device_id")}</Th>
            <Th className="hidden lg:table-cell">{t("last_location")}</Th>
            <Th className="text-right">{t("tx30")}</Th>
            <Th className="hidden text-right sm:table-cell">{t("avg30")}</Th>
            <Th className="hidden md:table-cell">{t("last_transaction_at")}</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(({ customer, profile: p, ...s }) => {
            return (
              <tr key={customer.href} className="hover:bg-slate-50">
                <Td>
                  <Link href={customer.href} className="font-medium text-brand-700 hover:underline">
                    {customer.label}
                  </Link>
                </Td>
                <Td>
                  <Badge tone={RISK_TONE[p.risk_level]}>{t(`risk.${p.risk_level}`)}</Badge>
                </Td>
                <Td className="hidden text-slate-700 md:table-cell">{p.email || "—"}</Td>
                <Td className="hidden font-mono text-xs lg:table-cell">{p.last_device_id ?? "—"}</Td>
                <Td className="hidden lg:table-cell">{p.last_location ?? "—"}</Td>
                <Td className="tabular text-right">{s.transaction_count_30d}</Td>
                <Td className="tabular hidden text-right sm:table-cell">{money(format, s.avg_transaction_30d, rt.env.settings.currency)}</Td>
                <Td className="hidden text-xs text-slate-600 md:table-cell">{p.last_transaction_at ? when(format, p.last_transaction_at) : "—"}</Td>
              </tr>
            );
          })}
        </tbody>
      </TableCard>
    </>
  );
}
