import { getTranslations } from "next-intl/server";
import { showValue } from "@/components/key-values";
import { Badge, Card, Code } from "@/components/ui";
import type { Decision } from "./detail";

/** Each rule that fired: its expression and the feature values it read. */
export async function FiredRulesCard({ rules }: { rules: Decision["rules"] }) {
  const t = await getTranslations("transaction");
  return (
    <Card title={t("firedRules")}>
      {rules.length === 0 ? (
        <p className="text-sm text-slate-600">{t("noRules")}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {rules.map((r) => (
            <li key={r.id} className="py-3 first:pt-0 last:pb-0">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="text-sm font-semibold text-slate-900">
                  {r.name} <span className="font-mono text-xs font-normal text-slate-600">{r.id}</span>
                </p>
                <Badge tone="red">{t("points", { points: r.score })}</Badge>
              </div>
              <p className="mt-2 text-xs font-medium text-slate-600">{t("expression")}</p>
              <pre className="mt-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">{r.expression}</pre>
              <p className="mt-2 text-xs font-medium text-slate-600">{t("valuesRead")}</p>
              <div className="mt-1 flex flex-wrap gap-1.5">
                {Object.entries(r.values).map(([k, v]) => (
                  <Code key={k}>
                    {k} = {showValue(v)}
                  </Code>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
