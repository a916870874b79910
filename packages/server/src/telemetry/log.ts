import type { Logger } from "@fraud/core/logger";
import type { ApiLogger } from "@fraud/api/ingest";

/** The API's logger interface over the process's logger: the API's events become its JSON lines. */
export function apiLogger(log: Logger): ApiLogger {
  return {
    error: (message, data) => log.error(data ?? {}, message),
    warn: (message, data) => log.warn(data ?? {}, message),
  };
}
