import { getFormatter, getTranslations } from "next-intl/server";
import { KeyValues, showValue } from "@/components/key-values";
import { Card } from "@/components/ui";
import { money, when } from "@/lib/format";
import type { Decision } from "./detail";

const PROFILE_KEYS = [
  "risk_level",
  "avg_transaction_30d",
  "transaction_count_30d",
  "last_device_id",
  "last_location",
  "last_transaction_at",
  "account_created",
  "is_new_customer",
] as const;

/** The customer's profile as the engine read it, before this transaction changed it. */
export async function ProfileCard({ decision: d }: { decision: Decision }) {
  const t = await getTranslations("transaction");
  const format = await getFormatter();
  return (
    <Card title={t("profile")}>
      <KeyValues
        columns={1}
        items={PROFILE_KEYS.map((k) => {
          const v = d.profile_before[k];
          const shown =
            k === "is_new_customer"
              ? v
                ? t("yes")
                : t("no")
              : k === "avg_transaction_30d"
                ? money(format, Number(v), d.transaction.currency)
                : (k === "last_transaction_at" || k === "account_created") && typeof v === "string"
                  ? when(format, v, "long")
                  : showValue(v);
          return [t(`profileFields.${k}`), shown];
        })}
      />
    </Card>
  );
}
