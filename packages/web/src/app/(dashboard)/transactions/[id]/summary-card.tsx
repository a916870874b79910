import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { KeyValues } from "@/components/key-values";
import { Card } from "@/components/ui";
import { money, ms, when } from "@/lib/format";
import type { Decision, Detail } from "./detail";

export async function SummaryCard({ decision: d, customer }: { decision: Decision; customer: Detail["customer"] }) {
  const t = await getTranslations("transaction");
  const format = await getFormatter();
  const tx = d.transaction;
  return (
    <Card title={t("summary")}>
      <KeyValues
        columns={3}
        items={[
          [
            t("amount"),
            <span key="a" className="tabular font-semibold">
              {money(format, tx.amount, tx.currency)}
            </span>,
          ],
          [
            t("customer"),
            <Link key="c" href={customer.href} className="text-brand-700 hover:underline">
              {customer.label}
            </Link>,
          ],
          [t("decidedAt"), when(format, d.decided_at, "long")],
          [t("ruleset"), t("version", { version: d.ruleset_version })],
          [t("latency"), ms(format, d.latency_ms)],
          [t("score"), String(d.score)],
        ]}
      />
    </Card>
  );
}
