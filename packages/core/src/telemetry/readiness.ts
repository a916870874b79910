/** Why a node is not ready for traffic: the `reason` of GET /api/ready's 503. */
export const NOT_READY_REASONS = ["STORE_NOT_WRITABLE", "WORKER_NOT_RUNNING", "OUTBOX_BEHIND"] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];

export type Readiness = { ready: true } | { ready: false; reason: NotReadyReason };

/** A worker whose last heartbeat is older than this is taken as stopped (ten heartbeats missed). */
export const WORKER_STALE_AFTER_MS = 10_000;

export interface ReadinessFacts {
  /** The store accepts a write now (no recent failed write, free space, a real write succeeds). */
  storeWritable: boolean;
  /** Since the worker's last heartbeat (ms); undefined when it never wrote one. */
  heartbeatAgeMs: number | undefined;
  /** The oldest decision a consumer of the outbox has not processed yet (seconds; 0 when none waits). */
  outboxAgeS: number;
  /** FRAUD_READY_MAX_OUTBOX_AGE_S. */
  maxOutboxAgeS: number;
}

/**
 * Whether this node should receive traffic: it can record decisions, its worker runs, and the
 * worker keeps up (alerts, figures and the lake lag the decisions by less than the bound). The
 * first failing condition is the reason, in that order: a store that cannot write explains a
 * worker that stopped and an outbox that grows.
 */
export function readiness(facts: ReadinessFacts): Readiness {
  if (!facts.storeWritable) return { ready: false, reason: "STORE_NOT_WRITABLE" };
  if (facts.heartbeatAgeMs === undefined || facts.heartbeatAgeMs > WORKER_STALE_AFTER_MS) return { ready: false, reason: "WORKER_NOT_RUNNING" };
  if (facts.outboxAgeS > facts.maxOutboxAgeS) return { ready: false, reason: "OUTBOX_BEHIND" };
  return { ready: true };
}
