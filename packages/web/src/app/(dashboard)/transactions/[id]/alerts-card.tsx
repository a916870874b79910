import { getFormatter, getTranslations } from "next-intl/server";
import { Badge, Card } from "@/components/ui";
import { when } from "@/lib/format";
import type { Detail } from "./detail";

/** The alerts this transaction raised. */
export async function AlertsCard({ alerts }: { alerts: Detail["alerts"] }) {
  const t = await getTranslations("transaction");
  const ta = await getTranslations("alerts");
  const format = await getFormatter();
  return (
    <Card title={t("alerts")}>
      {alerts.length === 0 ? (
        <p className="text-sm text-slate-600">{t("noAlerts")}</p>
      ) : (
        <ul className="space-y-2 text-sm">
          {alerts.map((a) => (
            <li key={a.id} className="flex items-center justify-between gap-2">
              <span>
                #{a.id} · {when(format, a.created_at)}
              </span>
              <Badge tone={a.status === "open" ? "amber" : "gray"}>{ta(`statuses.${a.status}`)}</Badge>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
