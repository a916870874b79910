import { getTranslations } from "next-intl/server";
import { showValue } from "@/components/key-values";
import { Card, Table, Td, Th } from "@/components/ui";
import type { Decision } from "./detail";

/** Every feature the engine computed for the transaction, folded away until asked for. */
export async function FeaturesCard({ features }: { features: Decision["features"] }) {
  const t = await getTranslations("transaction");
  return (
    <Card bodyClassName="p-0">
      <details>
        <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-slate-800">{t("features")}</summary>
        <div className="px-0 pb-2 sm:px-2">
          <Table caption={t("features")}>
            <thead>
              <tr>
                <Th>{t("feature")}</Th>
                <Th>{t("value")}</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {Object.entries(features).map(([k, v]) => (
                <tr key={k}>
                  <Td className="font-mono text-xs">{k}</Td>
                  <Td className="tabular">{showValue(v)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      </details>
    </Card>
  );
}
