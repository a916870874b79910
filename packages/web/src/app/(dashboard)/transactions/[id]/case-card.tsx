import { User } from "@fraud/core";
import { getTranslations } from "next-intl/server";
import { CasePanel } from "@/components/case-actions";
import { Badge, Card } from "@/components/ui";
import type { Decision, Detail } from "./detail";

/** The review case of a transaction sent to review or blocked, and what the analyst can do with it. */
export async function CaseCard({
  user,
  decision: d,
  reviewCase,
  history,
  activeBlocks,
}: {
  user: User.User;
  decision: Decision;
  reviewCase: NonNullable<Detail["reviewCase"]>;
  history: Detail["history"];
  activeBlocks: Detail["activeBlocks"];
}) {
  const tr = await getTranslations("review");
  return (
    <Card
      title={tr("case")}
      actions={
        <span className="flex gap-1.5">
          <Badge tone={reviewCase.status === "closed" ? "gray" : "blue"}>{tr(`statuses.${reviewCase.status}`)}</Badge>
          {reviewCase.label ? <Badge tone={reviewCase.label === "fraud" ? "red" : "green"}>{tr(`labels.${reviewCase.label}`)}</Badge> : null}
        </span>
      }
    >
      <CasePanel
        transactionId={d.transaction_id}
        status={reviewCase.status}
        assignee={reviewCase.assignee}
        me={user.username}
        activeBlocks={activeBlocks.length}
        blocked={d.decision === "BLOCKED"}
        canWork={User.can(user.role, "review.work")}
        history={history}
      />
    </Card>
  );
}
