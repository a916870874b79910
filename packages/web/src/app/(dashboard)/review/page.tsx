import { type Review, Ruleset, User } from "@fraud/core";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { reviewQueue } from "@/server/review";
import { platform } from "@/server/runtime";
import { CaseQueue } from "./case-queue";
import { PrecisionCards } from "./precision-cards";
import { QueueFilter } from "./queue-filter";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("review"))("title") };
}

type Search = { status?: string; decision?: string; mine?: string };

export default async function ReviewPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const t = await getTranslations("review");
  const sp = await searchParams;
  const status: Review.CaseQuery["status"] = sp.status === "closed" || sp.status === "all" ? sp.status : "open";
  const decision = Ruleset.ALERTING_DECISIONS.find((d) => d === sp.decision);
  const p = await platform();
  const [cases, stats] = await Promise.all([
    reviewQueue(user, { status, decision, assignee: sp.mine === "1" ? user.username : undefined, limit: 100 }),
    p.reviews.labelStats(),
  ]);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <PrecisionCards stats={stats} />
      <QueueFilter status={status} decision={decision} mine={sp.mine === "1"} />
      <CaseQueue cases={cases} user={user} canWork={User.can(user.role, "review.work")} />
    </>
  );
}
