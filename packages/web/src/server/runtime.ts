import "server-only";
import type { LocalRuntime } from "@fraud/functions/local";

type Holder = { __fraudRuntime?: LocalRuntime; __fraudRuntimeOpening?: Promise<LocalRuntime> };

/**
 * The process-wide platform. Under `npm start` the server that owns the port put its own runtime
 * on globalThis before preparing Next, so the API and the dashboard share one database handle;
 * under `next dev` or `next start` the first request opens one.
 */
export async function runtime(): Promise<LocalRuntime> {
  const g = globalThis as Holder;
  if (g.__fraudRuntime) return g.__fraudRuntime;
  g.__fraudRuntimeOpening ??= import("@fraud/functions/local")
    .then((m) => m.openRuntime())
    .then((rt) => (g.__fraudRuntime = rt));
  return g.__fraudRuntimeOpening;
}

export async function platform() {
  return (await runtime()).platform;
}
