import type { DecisionTiming } from "@fraud/core";

/** Span attributes, as OpenTelemetry takes them. */
export type SpanAttributes = Record<string, string | number | boolean>;

/** The span of one HTTP request, started when it arrives. */
export interface HttpSpan {
  /** The W3C traceparent of this span: what the scoring thread makes its spans children of. */
  readonly traceparent: string;
  /** The trace id, for the request's log line. */
  readonly traceId: string;
  end(route: string, status: number, decision: string | undefined): void;
}

/**
 * The traces of this process, exported over OTLP. Loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set (loadTracing): without it no OpenTelemetry module is imported and every call site is skipped.
 */
export interface Tracing {
  /** A server span for a request; `parent` is the caller's traceparent header, when valid. */
  httpSpan(method: string, parent: string | undefined): HttpSpan;
  /**
   * The span of one decision, child of `parent` (the HTTP span's traceparent), with its scoring and
   * commit as children, from the times `run` fills in.
   */
  decision<A extends { status: number; decision?: string }>(parent: string | undefined, run: (timing: DecisionTiming) => Promise<A>): Promise<A>;
  /** A span for work that already ran (a worker step), recorded only when it did something. */
  record(name: string, startedAt: number, endedAt: number, attributes: SpanAttributes): void;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  endpoint: string | undefined;
  /** OTEL_TRACES_SAMPLER_ARG: the share of root traces kept. */
  ratio: number;
  /** The `service.name` of the spans. */
  service: string;
}

/** The process's tracing, or undefined when no OTLP endpoint is configured (then nothing is loaded). */
export async function loadTracing(settings: TracingSettings): Promise<Tracing | undefined> {
  if (!settings.endpoint) return undefined;
  const { startTracing } = await import("./otel.ts");
  return startTracing({ ...settings, endpoint: settings.endpoint });
}
