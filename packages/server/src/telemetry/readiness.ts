import { readiness, type Readiness } from "@fraud/core";
import type { LocalPlatform, OperationsStore } from "@fraud/core/local";

/**
 * GET /api/ready for the embedded deployment: the store accepts a write, the worker's heartbeat
 * is recent, and no decision has waited longer than `maxOutboxAgeS` for the worker.
 */
export function localReadiness(platform: Pick<LocalPlatform, "healthy">, operations: OperationsStore, maxOutboxAgeS: number, now: () => number = Date.now) {
  return async (): Promise<Readiness> => {
    const beat = operations.heartbeat();
    const at = now();
    const outbox = operations.outbox(at);
    return readiness({
      storeWritable: platform.healthy(),
      heartbeatAgeMs: beat ? at - Date.parse(beat.at) : undefined,
      outboxAgeS: Math.max(outbox.oldestAgeS.alerts_metrics, outbox.oldestAgeS.lake),
      maxOutboxAgeS,
    });
  };
}
