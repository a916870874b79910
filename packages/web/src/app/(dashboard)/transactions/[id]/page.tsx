import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DecisionBadge } from "@/components/decision-badge";
import { Alert, Badge, PageHeader } from "@/components/ui";
import { requireUser } from "@/server/auth";
import { transactionDetail } from "@/server/decisions";
import { AlertsCard } from "./alerts-card";
import { BreakdownCard } from "./breakdown-card";
import { CaseCard } from "./case-card";
import { FeaturesCard } from "./features-card";
import { FiredRulesCard } from "./fired-rules-card";
import { ProfileCard } from "./profile-card";
import { SummaryCard } from "./summary-card";
import { TransactionFieldsCard } from "./transaction-fields-card";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: (await getTranslations("transaction"))("title", { id: decodeURIComponent(id) }) };
}

export default async function TransactionPage({ params }: Props) {
  const user = await requireUser();
  const id = decodeURIComponent((await params).id);
  const detail = await transactionDetail(user, id);
  if (!detail) notFound();
  const { decision: d, customer, reviewCase, history, alerts, activeBlocks, thresholds } = detail;
  const t = await getTranslations("transaction");
  return (
    <>
      <nav aria-label="breadcrumb" className="mb-2 text-sm">
        <Link href={d.test ? "/test" : "/decisions"} className="text-brand-700 hover:underline">
          ← {d.test ? t("backToTest") : t("back")}
        </Link>
      </nav>
      <PageHeader
        title={t("title", { id })}
        actions={
          <>
            {d.test ? <Badge tone="blue">{t("test")}</Badge> : null}
            <DecisionBadge decision={d.decision} />
            <Badge tone="gray">
              {t("score")} {d.score}
            </Badge>
          </>
        }
      />
      {d.test ? (
        <div className="mb-4">
          <Alert tone="blue">{t("testNotice")}</Alert>
        </div>
      ) : null}
      <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <SummaryCard decision={d} customer={customer} />
          <BreakdownCard decision={d} thresholds={thresholds} />
          <FiredRulesCard rules={d.rules} />
          <FeaturesCard features={d.features} />
        </div>
        <div className="space-y-4">
          {reviewCase ? <CaseCard user={user} decision={d} reviewCase={reviewCase} history={history} activeBlocks={activeBlocks} /> : null}
          <ProfileCard decision={d} />
          <TransactionFieldsCard transaction={d.transaction} />
          <AlertsCard alerts={alerts} />
        </div>
      </div>
    </>
  );
}
