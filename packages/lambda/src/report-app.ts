import type { Report } from "@fraud/core";
import { z } from "zod";

const ReportRequest = z.strictObject({
  report: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  row_limit: z.number().int().positive().optional(),
});

/**
 * Runs a report by name, built in or saved by an analyst (the Analytics table), on Athena: for
 * scheduled jobs and IAM-authorised callers. Saved SQL is checked again by Athena before it runs.
 */
export function createReportHandler(reports: Pick<Report.Reports, "run">) {
  return async (event: unknown) => {
    const request = ReportRequest.parse(event);
    return reports.run(request.report, request.params, { ...(request.row_limit ? { rowLimit: request.row_limit } : {}) });
  };
}
