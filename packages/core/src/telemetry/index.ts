export * from "./log-levels.ts";
export * from "./log-redaction.ts";
export * from "./decision-counters.ts";
export * from "./decision-timing.ts";
export * from "./worker-heartbeat.ts";
export * from "./readiness.ts";
