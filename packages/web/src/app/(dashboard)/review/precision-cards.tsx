import { Review } from "@fraud/core";
import { getFormatter, getTranslations } from "next-intl/server";
import { Card, Stat } from "@/components/ui";
import { percent } from "@/lib/format";

/** The share of labelled cases that were fraud, for blocked and for reviewed transactions. */
export async function PrecisionCards({ stats }: { stats: Review.LabelStats }) {
  const t = await getTranslations("review");
  const td = await getTranslations("decision");
  const format = await getFormatter();
  return (
    <div className="mb-4 grid grid-cols-1 gap-4 sm:grid-cols-2">
      {(["BLOCKED", "REVIEW"] as const).map((d) => {
        const c = stats.by_decision[d];
        return (
          <Card key={d}>
            <Stat
              label={`${t("precision")} · ${td(d)}`}
              value={percent(format, Review.precision(c))}
              hint={`${t("labelled", { count: c.fraud + c.legitimate })} · ${t("precisionHint")}`}
            />
          </Card>
        );
      })}
    </div>
  );
}
