import { getTranslations } from "next-intl/server";
import { Alert, Card } from "@/components/ui";
import type { Decision, Detail } from "./detail";

/** How the score adds up, and what else weighed on the decision (lists, fallback, rules in error). */
export async function BreakdownCard({ decision: d, thresholds }: { decision: Decision; thresholds: Detail["thresholds"] }) {
  const t = await getTranslations("transaction");
  return (
    <Card title={t("breakdown")} actions={thresholds ? <span className="text-xs text-slate-600">{t("thresholds", thresholds)}</span> : null}>
      {d.rules.length === 0 ? (
        <p className="text-sm text-slate-600">{t("noRules")}</p>
      ) : (
        <ul className="space-y-2">
          {d.rules.map((r) => (
            <li key={r.id} className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-3 text-sm">
              <div>
                <div className="flex justify-between gap-2">
                  <span className="font-medium text-slate-800">{r.name}</span>
                  <span className="tabular text-slate-700">+{r.score}</span>
                </div>
                <div className="mt-1 h-2 rounded-full bg-slate-100" aria-hidden="true">
                  <div className="h-2 rounded-full bg-rose-500" style={{ width: `${Math.min(100, r.score)}%` }} />
                </div>
              </div>
            </li>
          ))}
          <li className="flex justify-between border-t border-slate-100 pt-2 text-sm font-semibold">
            <span>{t("total")}</span>
            <span className="tabular">{d.score}</span>
          </li>
        </ul>
      )}
      {d.list_match ? (
        <div className="mt-3">
          <Alert tone={d.list_match.kind === "block" ? "red" : "green"}>
            <strong>{t("listMatch")} · </strong>
            {t("listMatchText", { kind: d.list_match.kind, field: d.list_match.field, value: d.list_match.value, reason: d.list_match.reason })}
          </Alert>
        </div>
      ) : null}
      {d.fallback_reason ? (
        <div className="mt-3">
          <Alert tone="amber">
            <strong>{t("fallback")} · </strong>
            {d.fallback_reason}
          </Alert>
        </div>
      ) : null}
      {d.errored_rules.length > 0 ? (
        <div className="mt-3">
          <Alert tone="amber">
            <strong>{t("errored")} · </strong>
            {d.errored_rules.map((e) => `${e.id}: ${e.error}`).join("; ")}
          </Alert>
        </div>
      ) : null}
    </Card>
  );
}
