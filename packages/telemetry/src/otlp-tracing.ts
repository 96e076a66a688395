import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { MessageTracing, Secret } from '@kafka-monitor/domain';
import { createOtelMessageTracing } from './otel-message-tracing.js';

/** `service.instance.id` (resource semantic conventions; not stable yet, so written out here). */
const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
const TRACER_NAME = '@kafka-monitor/telemetry';

export interface OtlpTracingOptions {
  /** OTLP/HTTP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  readonly endpoint: string;
  /** Sent with every export (OTEL_EXPORTER_OTLP_HEADERS), such as a collector's API key. */
  readonly headers?: readonly { readonly name: string; readonly value: Secret }[];
  readonly serviceName: string;
  readonly serviceVersion?: string;
  readonly serviceInstanceId?: string;
}

/** A process's tracing and how to flush what it has not exported yet. */
export interface Telemetry {
  readonly tracing: MessageTracing;
  /** Exports the spans still queued and stops; the process calls it last on its way out. */
  shutdown(): Promise<void>;
}

/** `http://collector:4318/` → `http://collector:4318/v1/traces`, as the OTLP exporter specification appends it. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Tracing exported over OTLP/HTTP (JSON) in batches from a queue, off the processing path: a slow or
 * absent collector drops spans (the queue is bounded) but never slows the pipeline.
 */
export function startOtlpTracing(options: OtlpTracingOptions): Telemetry {
  const exporter = new OTLPTraceExporter({
    url: tracesUrl(options.endpoint),
    headers: Object.fromEntries((options.headers ?? []).map((h) => [h.name, h.value.reveal()])),
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: options.serviceVersion }),
      ...(options.serviceInstanceId === undefined ? {} : { [ATTR_SERVICE_INSTANCE_ID]: options.serviceInstanceId }),
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return {
    tracing: createOtelMessageTracing(provider.getTracer(TRACER_NAME)),
    shutdown: () => provider.shutdown(),
  };
}
