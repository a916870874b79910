import { format } from "node:util";
import { maskPersonalData } from "./personal-data.ts";

const LEVELS = ["log", "info", "warn", "error", "debug"] as const;

/**
 * Every line this process writes through `console` passes through maskPersonalData: the API's,
 * the worker's and the dashboard's (Next logs server errors there). Server logs never hold an
 * email address or a phone number, whoever reads them.
 */
export function maskConsole(target: Pick<Console, (typeof LEVELS)[number]> = console): void {
  for (const level of LEVELS) {
    const write = target[level].bind(target);
    target[level] = (...args: unknown[]) => write(maskPersonalData(format(...args)));
  }
}

/** The same for Lambda's structured logs: a JSON replacer for Powertools' Logger (`jsonReplacerFn`). */
export function maskLogValue(_key: string, value: unknown): unknown {
  return typeof value === "string" ? maskPersonalData(value) : value;
}
