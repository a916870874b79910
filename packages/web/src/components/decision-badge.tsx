import { useTranslations } from "next-intl";
import { DECISION_TONE } from "@/lib/decision-colors";
import { Badge } from "./ui";

export function DecisionBadge({ decision }: { decision: "APPROVED" | "REVIEW" | "BLOCKED" }) {
  const t = useTranslations("decision");
  return <Badge tone={DECISION_TONE[decision]}>{t(decision)}</Badge>;
}
