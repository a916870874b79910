import { Platform, type Transaction } from "@fraud/core";
import { loadOrCreateSecrets } from "@fraud/core/local";
import { resolve } from "node:path";

export interface ApiTarget {
  url: string;
  apiKey: string;
}

/** The running API: FRAUD_API_URL or the local server, with the configured or stored key. */
export function localTarget(): ApiTarget {
  const e = Platform.env();
  const secrets = loadOrCreateSecrets(resolve(e.FRAUD_DATA_DIR), { apiKey: e.FRAUD_API_KEY, adminPassword: e.FRAUD_ADMIN_PASSWORD });
  return { url: (e.FRAUD_API_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""), apiKey: secrets.api_key };
}

export interface SendResult {
  status: number;
  ms: number;
  body: Record<string, unknown> | undefined;
  error?: string;
}

export async function sendTransaction(target: ApiTarget, tx: Transaction.TransactionInput): Promise<SendResult> {
  const started = performance.now();
  try {
    const res = await fetch(`${target.url}/api/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.apiKey}` },
      body: JSON.stringify(tx),
    });
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    return { status: res.status, ms: performance.now() - started, body };
  } catch (e) {
    return { status: 0, ms: performance.now() - started, body: undefined, error: (e as Error).message };
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface PacedRun {
  sent: number;
  byStatus: Record<string, number>;
  decisions: Record<string, number>;
  latenciesMs: number[];
  acknowledged: string[];
  elapsedS: number;
}

/**
 * Sends `count` transactions at an even `rate` per second: request i leaves at start + i/rate,
 * whatever happened to the others (open model, no coordinated omission), and its latency is
 * measured from that moment.
 */
export async function sendPaced(
  target: ApiTarget,
  count: number,
  rate: number,
  make: (i: number) => Transaction.TransactionInput,
  onProgress?: (done: number, run: PacedRun) => void,
): Promise<PacedRun> {
  const run: PacedRun = { sent: 0, byStatus: {}, decisions: {}, latenciesMs: [], acknowledged: [], elapsedS: 0 };
  const start = performance.now();
  const inflight = new Set<Promise<void>>();
  let lastReport = start;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const tx = make(i);
    const p = sendTransaction(target, tx).then((r) => {
      const ms = performance.now() - due;
      run.byStatus[String(r.status)] = (run.byStatus[String(r.status)] ?? 0) + 1;
      run.latenciesMs.push(ms);
      if (r.status === 200 && r.body) {
        const d = String(r.body.decision);
        run.decisions[d] = (run.decisions[d] ?? 0) + 1;
        run.acknowledged.push(String(r.body.transaction_id));
      }
      inflight.delete(p);
    });
    inflight.add(p);
    run.sent++;
    if (onProgress && performance.now() - lastReport > 1000) {
      lastReport = performance.now();
      onProgress(i + 1, run);
    }
  }
  await Promise.all(inflight);
  run.elapsedS = (performance.now() - start) / 1000;
  return run;
}
