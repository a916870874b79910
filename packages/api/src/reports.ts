import { Errors, type Report } from "@fraud/core";
import type { Context, Env, Hono, MiddlewareHandler, Schema } from "hono";
import { stream } from "hono/streaming";
import type { ApiLogger } from "./ingest.ts";

/** HTTP status of a report error a client can act on. */
const STATUS: Record<string, 400 | 404 | 422 | 503 | 504> = {
  REPORT_NOT_FOUND: 404,
  INVALID_REPORT_PARAMS: 400,
  REPORT_SQL_REJECTED: 422,
  REPORT_SQL_ERROR: 422,
  REPORT_SCAN_LIMIT: 422,
  REPORT_MEMORY_LIMIT: 422,
  REPORTS_BUSY: 503,
  REPORT_TIMEOUT: 504,
};

/** When to try again after REPORTS_BUSY (s): about one short report. */
const BUSY_RETRY_AFTER_S = 5;

function visible(c: Context, e: Errors.VisibleError) {
  if (e.code === "REPORTS_BUSY") c.header("retry-after", String(BUSY_RETRY_AFTER_S));
  return c.json({ error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } }, STATUS[e.code] ?? 400);
}

/** Query-string parameters that belong to the run, not to the report. */
const RUN_OPTIONS = new Set(["limit"]);

/**
 * Saved reports over the lake, read with an API key that has the `read` scope:
 *   GET /reports                 the built-in and saved reports (definitions, SQL included)
 *   GET /reports/:name           one definition
 *   GET /reports/:name/run?from=YYYY-MM-DD&to=YYYY-MM-DD&<param>=<value>&limit=N
 *       the result as JSON, or with `Accept: application/x-ndjson` the run's events as they
 *       come (progress, columns, rows, done; or a final {"type":"error"} line).
 */
export function mountReports<E extends Env, S extends Schema, B extends string>(
  app: Hono<E, S, B>,
  reports: Report.Reports,
  auth: MiddlewareHandler<E>,
  logger: ApiLogger,
): void {
  app.use("/reports", auth);
  app.use("/reports/*", auth);

  app.get("/reports", async (c) => c.json({ reports: await reports.list() }, 200));

  app.get("/reports/:name", async (c) => {
    const report = await reports.get(c.req.param("name") ?? "");
    if (!report) return c.json({ error: { code: "REPORT_NOT_FOUND", message: "no report by that name" } }, 404);
    return c.json(report, 200);
  });

  app.get("/reports/:name/run", async (c) => {
    const name = c.req.param("name") ?? "";
    const query = c.req.query();
    const params = Object.fromEntries(Object.entries(query).filter(([k]) => !RUN_OPTIONS.has(k)));
    const rowLimit = query.limit === undefined ? undefined : Number(query.limit);
    if (rowLimit !== undefined && !(Number.isInteger(rowLimit) && rowLimit > 0)) {
      return c.json(
        { error: { code: "INVALID_REQUEST", message: "limit must be a positive whole number", fields: { limit: ["must be a positive whole number"] } } },
        400,
      );
    }
    if ((c.req.header("accept") ?? "").includes("application/x-ndjson")) {
      const controller = new AbortController();
      // The first event decides the status: a bad name or parameter is still a plain 4xx.
      const events = reports.stream(name, params, { rowLimit, signal: controller.signal })[Symbol.asyncIterator]();
      let first: IteratorResult<unknown>;
      try {
        first = await events.next();
      } catch (e) {
        if (e instanceof Errors.VisibleError) return visible(c, e);
        throw e;
      }
      c.header("content-type", "application/x-ndjson; charset=utf-8");
      c.header("cache-control", "no-store");
      return stream(
        c,
        async (out) => {
          out.onAbort(() => controller.abort());
          try {
            for (let next = first; !next.done; next = await events.next()) await out.write(`${JSON.stringify(next.value)}\n`);
          } catch (e) {
            if (!(e instanceof Errors.VisibleError)) throw e;
            await out.write(`${JSON.stringify({ type: "error", code: e.code, message: e.message })}\n`);
          }
        },
        async (err, out) => {
          logger.error("report stream failed", { path: c.req.path, error: err.stack ?? String(err) });
          await out.write(`${JSON.stringify({ type: "error", code: "INTERNAL", message: "internal error" })}\n`);
        },
      );
    }
    try {
      return c.json(await reports.run(name, params, { rowLimit }), 200);
    } catch (e) {
      if (e instanceof Errors.VisibleError) return visible(c, e);
      throw e;
    }
  });
}
