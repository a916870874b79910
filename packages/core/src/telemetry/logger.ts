import { createRequire } from "node:module";
import { format } from "node:util";
import { pino, stdSerializers, type DestinationStream, type Level, type Logger } from "pino";
import type { LogLevel } from "./log-levels.ts";
import { redactLogText } from "./log-redaction.ts";

export type { Logger } from "pino";

export { LOG_LEVELS, type LogLevel } from "./log-levels.ts";

/** Which process writes a line: the `service` field, as Powertools names each Lambda's. */
export type LogService = "server" | "scoring" | "worker" | "dashboard" | "cli";

export interface LoggerOptions {
  service: LogService;
  level: LogLevel;
  /** File descriptor written to: 1 (standard output) for the long-running processes, 2 for the CLI, whose output is its results. */
  fd?: 1 | 2;
  /** Human-readable lines instead of JSON; by default when the descriptor is a terminal. */
  pretty?: boolean;
  /** Where lines go instead of the descriptor (tests). */
  destination?: DestinationStream;
}

/**
 * Fields that hold credentials if anything ever logs them: replaced by `***` before the line is
 * written. Redaction of the text itself (redactLogText) also catches secrets inside messages.
 */
const REDACT = [
  "authorization",
  "cookie",
  "password",
  "api_key",
  "secret",
  "headers.authorization",
  "headers.cookie",
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.api_key",
  "*.secret",
];

/**
 * The process's logger: one JSON object a line on the standard output, with the field names
 * Powertools uses on Lambda (`level` in capitals, `message`, `timestamp`, `service`), so that one
 * query reads both deployments. Every line passes through redactLogText (personal data masked,
 * secrets hidden). On a terminal, pino-pretty renders the same events for a person; it is loaded
 * only then.
 */
export function createLogger(options: LoggerOptions): Logger {
  const fd = options.fd ?? 1;
  const pretty = options.pretty ?? (options.destination === undefined && isTerminal(fd));
  const format = {
    level: options.level,
    messageKey: "message",
    errorKey: "error",
    base: { service: options.service, pid: process.pid },
    serializers: { error: stdSerializers.err, err: stdSerializers.err },
    ...(pretty
      ? {}
      : {
          timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
          formatters: { level: (label: string) => ({ level: label.toUpperCase() }) },
        }),
  };
  let destination: DestinationStream;
  if (pretty) {
    const require = createRequire(import.meta.url);
    const prettyStream = require("pino-pretty") as (o: Record<string, unknown>) => DestinationStream;
    destination = prettyStream({ destination: fd, sync: true, messageKey: "message", errorLikeObjectKeys: ["error", "err"], ignore: "pid,hostname" });
  } else {
    // Asynchronous writes: a line costs the caller its serialization only; pino flushes what is
    // left when the process exits.
    destination = options.destination ?? pino.destination({ dest: fd, sync: false });
  }
  const log = pino({ ...format, redact: { paths: REDACT, censor: "***" }, hooks: { streamWrite: redactLogText } }, destination);
  made.set(log, { format, destination });
  return log;
}

/** How each logger createLogger made writes, for requestLogger. */
const made = new WeakMap<Logger, { format: Record<string, unknown>; destination: DestinationStream }>();

/**
 * A logger for the server's request lines, on the same stream as `log` and in the same format,
 * without the redaction pass: its lines hold only values the server made (route patterns,
 * statuses, times, outcomes) and a request id checked when the request arrived (requestIdOf in
 * packages/server). The pass costs about as much as the rest of a line; a request line is
 * written for every transaction (docs/decisions/041-request-logs-on-the-decision-path.md).
 */
export function requestLogger(log: Logger): Logger {
  const settings = made.get(log);
  if (!settings) throw new Error("requestLogger takes a logger made by createLogger");
  const requests = pino({ ...settings.format, level: log.level }, settings.destination);
  return requests;
}

function isTerminal(fd: 1 | 2): boolean {
  return Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
}

const CONSOLE_LEVELS: Record<"log" | "info" | "warn" | "error" | "debug", Level> = { log: "info", info: "info", warn: "warn", error: "error", debug: "debug" };

/**
 * Routes what this process writes through `console` (Next's server errors, libraries) to the
 * logger: each call one event at the matching level, redacted like every other line.
 */
export function routeConsole(logger: Logger, target: Pick<Console, keyof typeof CONSOLE_LEVELS> = console): void {
  for (const [method, level] of Object.entries(CONSOLE_LEVELS) as Array<[keyof typeof CONSOLE_LEVELS, Level]>) {
    target[method] = (...args: unknown[]) => {
      const error = args.find((a): a is Error => a instanceof Error);
      if (error && args.length === 1) logger[level]({ error }, error.message);
      else logger[level](format(...args));
    };
  }
}
