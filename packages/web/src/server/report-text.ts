import "server-only";
import { getMessages } from "next-intl/server";
import type { SavedReport } from "./analytics";

/** A report as the dashboard shows it: in the user's language, with a label for each column it knows. */
export type ShownReport = SavedReport & { columnLabels: Record<string, string> };

/**
 * A built-in report's title, description, parameter labels and column labels in the user's
 * language (messages: builtinReports, reportParameters, reportColumns). Saved reports are data:
 * they are shown as their authors wrote them, columns under their SQL names.
 */
export async function shownReport(report: SavedReport): Promise<ShownReport> {
  if (!report.builtin) return { ...report, columnLabels: {} };
  const m = await getMessages();
  const text = lookup(m.builtinReports, report.name);
  return {
    ...report,
    title: text?.title ?? report.title,
    description: text?.description ?? report.description,
    parameters: report.parameters.map((p) => {
      const param = lookup(m.reportParameters, p.name);
      return { ...p, label: param?.label ?? p.label, description: param?.description ?? p.description };
    }),
    columnLabels: { ...m.reportColumns },
  };
}

function lookup<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
