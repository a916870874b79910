import { UnavailableError } from "@fraud/core";
import { LocalLakeWriter, OutboxWorker } from "@fraud/core/local";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openRuntime } from "./runtime.ts";

const IDLE_MS = 200;
const PRUNE_EVERY_MS = 60_000;

/** The outbox worker process: alerts, metrics and the lake, at least once and idempotent. */
export async function runWorker(signal: AbortSignal): Promise<void> {
  const rt = await openRuntime();
  const lake = await LocalLakeWriter.open(rt.platform.lakeDir);
  const worker = new OutboxWorker(rt.platform.db, lake, {
    lakeFlushRecords: rt.env.FRAUD_LAKE_FLUSH_RECORDS,
    lakeFlushSeconds: rt.env.FRAUD_LAKE_FLUSH_SECONDS,
    log: (line) => console.log(line),
  });
  console.log(`[worker] started (pid ${process.pid}); lake at ${lake.rawDir}`);
  let prunedAt = Date.now();
  let backoff = IDLE_MS;
  while (!signal.aborted) {
    try {
      const n = worker.stepAlertsAndMetrics() + (await worker.stepLake());
      if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
        worker.prune();
        prunedAt = Date.now();
      }
      backoff = IDLE_MS;
      if (n === 0) await new Promise((r) => setTimeout(r, IDLE_MS));
    } catch (e) {
      if (!(e instanceof UnavailableError)) throw e;
      console.error(`[worker] store unavailable (${(e.cause as Error | undefined)?.message ?? e.message}); retrying in ${backoff} ms`);
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
  await worker.drain();
  lake.close();
  rt.platform.close();
  console.log("[worker] stopped after draining the outbox");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const controller = new AbortController();
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => controller.abort());
  await runWorker(controller.signal);
}
