import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MessageTracing } from '@kafka-monitor/domain';
import { createOtelMessageTracing } from './otel-message-tracing.js';

/** A finished span as plain data, so tests outside this package never see an OpenTelemetry type. */
export interface RecordedSpan {
  readonly name: string;
  readonly kind: 'producer' | 'consumer' | 'other';
  readonly traceId: string;
  readonly spanId: string;
  /** The parent's span id; undefined for a trace's root. */
  readonly parentSpanId: string | undefined;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly failed: boolean;
}

export interface RecordingTracing {
  readonly tracing: MessageTracing;
  /** Every span ended so far, in the order they ended. */
  spans(): readonly RecordedSpan[];
  reset(): void;
}

function kindOf(kind: SpanKind): RecordedSpan['kind'] {
  if (kind === SpanKind.PRODUCER) return 'producer';
  return kind === SpanKind.CONSUMER ? 'consumer' : 'other';
}

function recorded(span: ReadableSpan): RecordedSpan {
  const context = span.spanContext();
  return {
    name: span.name,
    kind: kindOf(span.kind),
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
    attributes: { ...span.attributes },
    failed: span.status.code === SpanStatusCode.ERROR,
  };
}

/**
 * Tracing into memory (OpenTelemetry's in-memory exporter, each span recorded as it ends), for tests
 * that check the traces the pipeline makes.
 */
export function createRecordingTracing(): RecordingTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    tracing: createOtelMessageTracing(provider.getTracer('@kafka-monitor/telemetry/recording')),
    spans: () => exporter.getFinishedSpans().map(recorded),
    reset: () => exporter.reset(),
  };
}
