import { Ruleset } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { SelectField, TextField } from "@/components/fields";
import { Card, PageHeader, buttonClass } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { parseFilter, searchDecisions } from "@/server/decisions";
import { platform } from "@/server/runtime";
import { LiveDecisions } from "./live-decisions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("decisions"))("title") };
}

export default async function DecisionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const t = await getTranslations("decisions");
  const td = await getTranslations("decision");
  const filter = parseFilter(await searchParams);
  const [rows, live] = await Promise.all([searchDecisions(user, filter), (await platform()).rules.live()]);
  const query = new URLSearchParams(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  ).toString();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Card className="mb-4">
        <form method="get" className="grid grid-cols-2 gap-3 md:grid-cols-6 md:items-end" aria-label={t("filters")}>
          <SelectField label={t("decision")} name="decision" defaultValue={filter.decision ?? ""}>
            <option value="">{t("any")}</option>
            {Ruleset.DECISIONS.map((d) => (
              <option key={d} value={d}>
                {td(d)}
              </option>
            ))}
          </SelectField>
          <TextField label={t("user")} name="user" defaultValue={filter.user ?? ""} autoCapitalize="none" />
          <SelectField label={t("rule")} name="rule" defaultValue={filter.rule ?? ""}>
            <option value="">{t("any")}</option>
            {(live?.rules ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.id}
              </option>
            ))}
          </SelectField>
          <TextField label={t("min")} name="min" type="number" min={0} step="any" inputMode="decimal" defaultValue={filter.min ?? ""} />
          <TextField label={t("max")} name="max" type="number" min={0} step="any" inputMode="decimal" defaultValue={filter.max ?? ""} />
          <div className="col-span-2 flex gap-2 md:col-span-1">
            <button type="submit" className={buttonClass("primary")}>
              {t("apply")}
            </button>
            <Link href="/decisions" className={buttonClass("secondary")}>
              {t("reset")}
            </Link>
          </div>
        </form>
      </Card>
      <Card bodyClassName="p-0 sm:p-2">
        <LiveDecisions initial={rows} query={query} />
      </Card>
    </>
  );
}
