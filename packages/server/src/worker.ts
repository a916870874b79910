import { Errors, Monitoring, Platform } from "@fraud/core";
import { ALERTS_BATCH, AlertDeliveries, LocalLakeWriter, OperationsStore, openLocalRuntime, OutboxWorker } from "@fraud/core/local";
import { createLogger, routeConsole, type Logger } from "@fraud/core/logger";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BackgroundFlush } from "./background-flush.ts";
import { lowerPriority, WORKER_NICE } from "./priority.ts";
import { loadTracing, type Tracing } from "./telemetry/tracing.ts";
import { WorkerVitals } from "./telemetry/worker-vitals.ts";

/** With nothing to do, the worker looks again this often. */
const IDLE_MS = 50;
/**
 * Caught up (a step found fewer rows than it may take), the worker lets rows gather this long
 * before its next step, so it works in small, regular steps: at 1,000 transactions a second, 25
 * rows every 25 ms instead of about 200 rows at once after a long sleep followed by a step for
 * every few rows. A burst of a few hundred rows held a core for 20-40 ms, and requests waited for
 * it; each tiny step took the write lock the server needs. A backlog is worked through without
 * pause.
 */
const PACE_MS = 25;
/** After a failure to write, the first retry waits this long, then twice as long each time (at most 10 s). */
const RETRY_FIRST_MS = 200;
const PRUNE_EVERY_MS = 60_000;
const CHECKPOINT_EVERY_MS = 1_000;
/** Closed days' lake files are merged at start and then this often (a pass with nothing to merge lists a few directories). */
const COMPACT_EVERY_MS = 10 * 60_000;

/** The outbox worker process: alerts, metrics and the lake, at least once and idempotent. */
export async function runWorker(signal: AbortSignal, log: Logger = createLogger({ service: "worker", level: Platform.env().FRAUD_LOG_LEVEL })): Promise<void> {
  const rt = await openLocalRuntime(Platform.env());
  const tracing = await loadTracing({ endpoint: rt.env.OTEL_EXPORTER_OTLP_ENDPOINT, ratio: rt.env.OTEL_TRACES_SAMPLER_ARG, service: "fraud-worker" });
  const lake = await LocalLakeWriter.open(rt.platform.lakeDir);
  const worker = await untilWritable(
    () =>
      new OutboxWorker(rt.platform.db, lake, {
        lakeFlushRecords: rt.env.FRAUD_LAKE_FLUSH_RECORDS,
        lakeFlushSeconds: rt.env.FRAUD_LAKE_FLUSH_SECONDS,
        log: (line) => log.info(line),
      }),
    signal,
    log,
  );
  if (!worker) {
    lake.close();
    rt.platform.close();
    return;
  }
  const deliveries = new AlertDeliveries(
    rt.platform.db,
    rt.env.FRAUD_ALERT_WEBHOOK_URL ? [new Monitoring.WebhookAlerter(rt.env.FRAUD_ALERT_WEBHOOK_URL, rt.secrets.webhook_secrets)] : [],
    rt.env.settings.currency,
  );
  log.info({ lake: lake.rawDir, alert_channels: deliveries.channels.length ? deliveries.channels : ["dashboard"] }, "worker started");
  // Alive, and what only the worker knows, in the store every second for the server's /metrics and /api/ready.
  const vitals = new WorkerVitals(new OperationsStore(rt.platform.db), deliveries);
  // Deliveries run in their own loop: a slow channel never holds up alerts, metrics or the lake.
  const delivering = deliverLoop(deliveries, signal, tracing);
  // While decisions flow, the database file's pages go to disk a little at a time (see BackgroundFlush).
  const flush = new BackgroundFlush(rt.platform.db.name, { log: (line) => log.warn(line) });
  let prunedAt = Date.now();
  let checkpointedAt = Date.now();
  let compactedAt = 0;
  let backoff = RETRY_FIRST_MS;
  while (!signal.aborted) {
    try {
      vitals.beatIfDue();
      let started = performance.now();
      const alerts = worker.stepAlertsAndMetrics();
      if (alerts > 0) tracing?.record("worker.alerts_and_metrics", started, performance.now(), { "fraud.decisions": alerts });
      started = performance.now();
      const written = await worker.stepLake();
      if (written > 0) {
        vitals.lakeFlushed(written);
        tracing?.record("worker.lake_flush", started, performance.now(), { "fraud.decisions": written });
      }
      const n = alerts + written;
      if (Date.now() - checkpointedAt > CHECKPOINT_EVERY_MS) {
        started = performance.now();
        const { checkpointed } = worker.checkpoint();
        if (checkpointed > 0) tracing?.record("worker.checkpoint", started, performance.now(), { "sqlite.pages": checkpointed });
        checkpointedAt = Date.now();
      }
      if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
        started = performance.now();
        const pruned = await worker.prune();
        if (pruned > 0) tracing?.record("worker.prune", started, performance.now(), { "fraud.outbox_rows": pruned });
        prunedAt = Date.now();
      }
      if (Date.now() - compactedAt > COMPACT_EVERY_MS) {
        compactedAt = Date.now();
        // A day that cannot be merged keeps its files (readers still see every row once): alerts
        // and the lake go on, and the next pass tries again.
        await worker.compactLake().catch((error: unknown) => log.error({ error, retry_in_minutes: COMPACT_EVERY_MS / 60_000 }, "lake compaction failed"));
      }
      backoff = RETRY_FIRST_MS;
      if (n > 0) flush.afterWork();
      if (n === 0) await new Promise((r) => setTimeout(r, IDLE_MS));
      else if (alerts < ALERTS_BATCH) await new Promise((r) => setTimeout(r, PACE_MS));
    } catch (e) {
      if (!(e instanceof Errors.UnavailableError)) throw e;
      vitals.storeFailed();
      logUnavailable(log, e, backoff);
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
  await worker.drain();
  await delivering;
  vitals.close();
  lake.close();
  rt.platform.close();
  // After SQLite's connection: closing another descriptor of the file would drop its locks.
  await flush.close();
  await tracing?.shutdown();
  log.info("worker stopped after draining the outbox");
}

function logUnavailable(log: Logger, e: Errors.UnavailableError, retryMs: number): void {
  log.error({ cause: (e.cause as Error | undefined)?.message ?? e.message, retry_in_ms: retryMs }, "store unavailable");
}

/** A worker started on a full or read-only data dir waits for it to accept writes, saying so. */
async function untilWritable<T>(make: () => T, signal: AbortSignal, log: Logger): Promise<T | undefined> {
  let backoff = RETRY_FIRST_MS;
  while (!signal.aborted) {
    try {
      return make();
    } catch (e) {
      if (!(e instanceof Errors.UnavailableError)) throw e;
      logUnavailable(log, e, backoff);
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
  return undefined;
}

async function deliverLoop(deliveries: AlertDeliveries, signal: AbortSignal, tracing: Tracing | undefined): Promise<void> {
  if (deliveries.channels.length === 0) return;
  while (!signal.aborted) {
    try {
      deliveries.enqueueNew(new Date());
      const started = performance.now();
      const attempted = await deliveries.deliverDue(new Date());
      if (attempted > 0) tracing?.record("worker.deliver_alerts", started, performance.now(), { "fraud.attempts": attempted });
      if (attempted === 0) await new Promise((r) => setTimeout(r, 500));
    } catch (e) {
      if (!(e instanceof Errors.UnavailableError)) throw e;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = createLogger({ service: "worker", level: Platform.env().FRAUD_LOG_LEVEL });
  routeConsole(log);
  // Every thread, V8's and libuv's included (DuckDB writes the lake on libuv's pool).
  lowerPriority(WORKER_NICE);
  const controller = new AbortController();
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => controller.abort());
  await runWorker(controller.signal, log);
}
