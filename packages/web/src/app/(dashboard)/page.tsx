import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { CardSkeleton, PageHeader } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { OVERVIEW_MINUTES, recentSample, throughput } from "@/server/overview";
import { BlockedWidget, LatencyWidget, MixWidget, ScoresWidget, ThroughputWidget } from "./_overview/widgets";

async function Throughput() {
  return <ThroughputWidget initial={await throughput()} />;
}
async function Mix() {
  return <MixWidget initial={await throughput()} />;
}
async function Blocked() {
  return <BlockedWidget initial={await throughput()} />;
}
async function Scores() {
  return <ScoresWidget initial={await recentSample()} />;
}
async function Latency() {
  return <LatencyWidget initial={await recentSample()} />;
}

export default async function OverviewPage() {
  await requireUser();
  const t = await getTranslations("overview");
  return (
    <>
      <PageHeader title={t("title")} description={t("description", { minutes: OVERVIEW_MINUTES })} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Suspense fallback={<CardSkeleton title={t("throughput")} height="h-64" />}>
          <Throughput />
        </Suspense>
        <div className="grid grid-cols-1 gap-4">
          <Suspense fallback={<CardSkeleton title={t("mix")} height="h-24" />}>
            <Mix />
          </Suspense>
          <Suspense fallback={<CardSkeleton title={t("blocked")} height="h-16" />}>
            <Blocked />
          </Suspense>
        </div>
        <Suspense fallback={<CardSkeleton title={t("scores")} height="h-48" />}>
          <Scores />
        </Suspense>
        <Suspense fallback={<CardSkeleton title={t("latency")} height="h-16" />}>
          <Latency />
        </Suspense>
      </div>
    </>
  );
}
