import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { bindReportParameters, BUILTIN_REPORTS, collectReport, reportQuery, VisibleError } from "@fraud/core";
import { AthenaReportRunner, createAwsClients } from "@fraud/core/aws";
import { z } from "zod";
import { reportsEnv } from "./env.ts";
import { maskLogValue } from "../log-masking.ts";

// Runs a built-in report on Athena, for scheduled jobs and IAM-authorised callers. The workgroup
// enforces the scan limit and encrypted results; the function may only read the lake.

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = reportsEnv();
const { athena } = createAwsClients();
tracer.captureAWSv3Client(athena);
const runner = new AthenaReportRunner(athena, {
  workGroup: env.FRAUD_ATHENA_WORKGROUP,
  database: env.FRAUD_ATHENA_DATABASE,
  log: (message, detail) => logger.warn(message, detail),
});

const ReportRequest = z.strictObject({
  report: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  row_limit: z.number().int().positive().optional(),
});

export const handler = async (event: unknown) => {
  const request = ReportRequest.parse(event);
  const def = BUILTIN_REPORTS.find((r) => r.name === request.report);
  if (!def) throw new VisibleError("REPORT_NOT_FOUND", `no built-in report named '${request.report}'`);
  const values = bindReportParameters(def, request.params, new Date());
  const query = reportQuery(def, values, { trusted: true, rowLimit: request.row_limit, timeoutMs: 240_000 });
  return { report: def.name, params: values, ...(await collectReport(runner.stream(query))) };
};
