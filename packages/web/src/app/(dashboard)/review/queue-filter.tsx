import type { Review } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { SelectField } from "@/components/fields";
import { Card, buttonClass } from "@/components/ui";

/** Which cases the queue shows: a plain GET form, so a filtered queue is a link an analyst can share. */
export async function QueueFilter({
  status,
  decision,
  mine,
}: {
  status: Review.CaseQuery["status"];
  decision: "REVIEW" | "BLOCKED" | undefined;
  mine: boolean;
}) {
  const t = await getTranslations("review");
  const td = await getTranslations("decision");
  const tq = await getTranslations("decisions");
  return (
    <Card className="mb-4">
      <form method="get" className="grid grid-cols-2 gap-3 sm:grid-cols-4 sm:items-end">
        <SelectField label={t("show")} name="status" defaultValue={status}>
          <option value="open">{t("openCases")}</option>
          <option value="closed">{t("closedCases")}</option>
          <option value="all">{t("allCases")}</option>
        </SelectField>
        <SelectField label={t("decision")} name="decision" defaultValue={decision ?? ""}>
          <option value="">{t("any")}</option>
          <option value="BLOCKED">{td("BLOCKED")}</option>
          <option value="REVIEW">{td("REVIEW")}</option>
        </SelectField>
        <label className="flex items-center gap-2 self-center text-sm text-slate-800 sm:mt-6">
          <input type="checkbox" name="mine" value="1" defaultChecked={mine} className="size-4 rounded border-slate-400" />
          {t("mine")}
        </label>
        <div>
          <button type="submit" className={buttonClass("primary")}>
            {tq("apply")}
          </button>
        </div>
      </form>
    </Card>
  );
}
