import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from "@opentelemetry/sdk-trace";
import { decisionTiming } from "@fraud/core";
import type { HttpSpan, SpanAttributes, Tracing, TracingSettings } from "./tracing.ts";

/** A W3C traceparent (version 00): trace id, parent span id, flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;

/** The context a traceparent names, or the root when it is absent or malformed (a new trace starts). */
function contextOf(traceparent: string | undefined): Context {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!m || ZEROS.test(m[1]!) || ZEROS.test(m[2]!)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & 1, isRemote: true });
}

function traceparentOf(span: Span): string {
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 1}`;
}

/** A performance.now() reading of this thread as epoch milliseconds, as span times are given. */
const epochMs = (t: number) => performance.timeOrigin + t;

/**
 * OpenTelemetry's trace SDK for this process (or thread): spans batched and sent as OTLP/JSON to
 * `<endpoint>/v1/traces` every second, at most 2,048 waiting (more are dropped, never queued
 * without bound). Contexts are passed explicitly (the scoring thread gets its parent in the
 * request's frame), so no context manager is installed.
 */
export function startTracing(settings: TracingSettings & { endpoint: string }): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1_000, maxQueueSize: 2_048 })],
  });
  const tracer = provider.getTracer("fraud-decision-platform");

  return {
    httpSpan(method, parent): HttpSpan {
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { "http.request.method": method } }, contextOf(parent));
      const traceId = span.spanContext().traceId;
      return {
        traceparent: traceparentOf(span),
        traceId,
        end(route, status, decision) {
          span.updateName(`${method} ${route}`);
          span.setAttributes({ "http.route": route, "http.response.status_code": status, ...(decision ? { "fraud.decision": decision } : {}) });
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },

    async decision(parent, run) {
      const parentContext = contextOf(parent);
      const span = tracer.startSpan("decision", { kind: SpanKind.INTERNAL }, parentContext);
      const timing = decisionTiming();
      try {
        const answer = await run(timing);
        span.setAttribute("http.response.status_code", answer.status);
        if (answer.decision) span.setAttribute("fraud.decision", answer.decision);
        if (answer.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return answer;
      } finally {
        if (span.isRecording()) {
          const inside = trace.setSpan(parentContext, span);
          if (timing.scoreEnd > 0) tracer.startSpan("decision.score", { startTime: epochMs(timing.scoreStart) }, inside).end(epochMs(timing.scoreEnd));
          if (timing.commitEnd > 0) {
            const attributes = { "fraud.commit.decisions": timing.batchSize };
            tracer.startSpan("decision.commit", { startTime: epochMs(timing.commitStart), attributes }, inside).end(epochMs(timing.commitEnd));
          }
        }
        span.end();
      }
    },

    record(name: string, startedAt: number, endedAt: number, attributes: SpanAttributes) {
      tracer.startSpan(name, { startTime: epochMs(startedAt), attributes, root: true }).end(epochMs(endedAt));
    },

    shutdown: () => provider.shutdown(),
  };
}
