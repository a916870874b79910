import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { AuditChange } from "@/components/audit-change";
import { SelectField, TextField } from "@/components/fields";
import { Card, PageHeader, TableCard, Td, Th, buttonClass } from "@/components/ui";
import { when } from "@/lib/format";
import { auditEntries } from "@/server/audit";
import { requireUser } from "@/server/auth";

const ENTITIES = ["profile", "ruleset", "list_entry", "user", "api_key", "case", "alert"] as const;
const PAGE = 50;

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("audit"))("title") };
}

type Search = { entity?: string; actor?: string; before?: string };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const t = await getTranslations("audit");
  const format = await getFormatter();
  const sp = await searchParams;
  const entity = (ENTITIES as readonly string[]).includes(sp.entity ?? "") ? sp.entity : undefined;
  const actor = sp.actor?.trim().slice(0, 64) || undefined;
  const before = Number(sp.before);
  const entries = await auditEntries(user, { entity, actor, before_id: Number.isSafeInteger(before) && before > 0 ? before : undefined, limit: PAGE });
  const older = new URLSearchParams({ ...(entity ? { entity } : {}), ...(actor ? { actor } : {}), before: String(entries.at(-1)?.id ?? 0) });
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Card className="mb-4">
        <form method="get" className="grid grid-cols-2 gap-3 sm:grid-cols-4 sm:items-end">
          <SelectField label={t("entity")} name="entity" defaultValue={entity ?? ""}>
            <option value="">{t("any")}</option>
            {ENTITIES.map((e) => (
              <option key={e} value={e}>
                {t(`entities.${e}`)}
              </option>
            ))}
          </SelectField>
          <TextField label={t("actor")} name="actor" defaultValue={actor ?? ""} autoCapitalize="none" />
          <div>
            <button type="submit" className={buttonClass("primary")}>
              {t("filter")}
            </button>
          </div>
        </form>
      </Card>
      <TableCard caption={t("list")} empty={t("empty")} isEmpty={entries.length === 0}>
        <thead>
          <tr>
            <Th>{t("when")}</Th>
            <Th>{t("actor")}</Th>
            <Th>{t("action")}</Th>
            <Th>{t("entity")}</Th>
            <Th>{t("change")}</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((e) => (
            <tr key={e.id}>
              <Td className="tabular text-xs whitespace-nowrap text-slate-600">{when(format, e.at)}</Td>
              <Td className="whitespace-nowrap">{e.actor}</Td>
              <Td className="font-mono text-xs whitespace-nowrap">{e.action}</Td>
              <Td className="text-xs">
                {(ENTITIES as readonly string[]).includes(e.entity) ? t(`entities.${e.entity as (typeof ENTITIES)[number]}`) : e.entity}{" "}
                <span className="font-mono break-all text-slate-600">{e.entity_id}</span>
              </Td>
              <Td className="max-w-md min-w-48">
                <AuditChange before={e.before} after={e.after} />
              </Td>
            </tr>
          ))}
        </tbody>
      </TableCard>
      <div className="mt-4 flex gap-2">
        {sp.before ? (
          <Link href={`/audit?${new URLSearchParams({ ...(entity ? { entity } : {}), ...(actor ? { actor } : {}) })}`} className={buttonClass("secondary")}>
            {t("newest")}
          </Link>
        ) : null}
        {entries.length === PAGE ? (
          <Link href={`/audit?${older}`} className={buttonClass("secondary")}>
            {t("older")}
          </Link>
        ) : null}
      </div>
    </>
  );
}
