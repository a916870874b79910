import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { PageHeader, buttonClass } from "@/components/ui";

export default async function NotFound() {
  const t = await getTranslations("errors");
  const tn = await getTranslations("nav");
  return (
    <>
      <PageHeader title={t("notFound")} />
      <Link href="/" className={buttonClass("secondary")}>
        {tn("overview")}
      </Link>
    </>
  );
}
