import { maskPersonalData } from "./personal-data.ts";

/**
 * Lambda's structured logs pass every string through maskPersonalData: a JSON replacer for
 * Powertools' Logger (`jsonReplacerFn`). The local processes' logger does the same to each line
 * (createLogger in telemetry/logger.ts).
 */
export function maskLogValue(_key: string, value: unknown): unknown {
  return typeof value === "string" ? maskPersonalData(value) : value;
}
