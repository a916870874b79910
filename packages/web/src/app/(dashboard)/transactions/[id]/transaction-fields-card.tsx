import { getTranslations } from "next-intl/server";
import { KeyValues, showValue } from "@/components/key-values";
import { Card } from "@/components/ui";
import type { Decision } from "./detail";

/** The transaction exactly as the payment system sent it. */
export async function TransactionFieldsCard({ transaction }: { transaction: Decision["transaction"] }) {
  const t = await getTranslations("transaction");
  return (
    <Card title={t("transactionFields")}>
      <KeyValues
        columns={1}
        items={Object.entries(transaction).map(([k, v]) => [
          k,
          <span key={k} className="font-mono text-xs break-all">
            {showValue(v)}
          </span>,
        ])}
      />
    </Card>
  );
}
