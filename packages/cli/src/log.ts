import { Platform } from "@fraud/core";
import { createLogger, type Logger } from "@fraud/core/logger";

let logger: Logger | undefined;

/**
 * The CLI's log: progress and failures as JSON lines on the standard error (readable lines on a
 * terminal), at FRAUD_LOG_LEVEL. The standard output is the command's result, left for pipes.
 */
export function cliLog(): Logger {
  logger ??= createLogger({ service: "cli", level: Platform.env().FRAUD_LOG_LEVEL, fd: 2 });
  return logger;
}
