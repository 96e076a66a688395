import { noMessageTracing } from '@kafka-monitor/domain';
import type { MessageTracing } from '@kafka-monitor/domain';
import type { Config } from './config.js';

/** A process's tracing and how to flush it on the way out. */
export interface ProcessTracing {
  readonly tracing: MessageTracing;
  close(): Promise<void>;
}

const off: ProcessTracing = { tracing: noMessageTracing, close: () => Promise.resolve() };

/**
 * The tracing the configuration asks for: none unless OTEL_EXPORTER_OTLP_ENDPOINT is set, in which
 * case the OpenTelemetry SDK is loaded (only then: it is not needed otherwise) and exports over OTLP.
 */
export async function openTracing(config: Config, serviceName: string): Promise<ProcessTracing> {
  const { endpoint, headers } = config.tracing;
  if (endpoint === undefined) return off;
  const { startOtlpTracing } = await import('@kafka-monitor/telemetry');
  const telemetry = startOtlpTracing({
    endpoint,
    headers,
    serviceName: config.tracing.serviceName ?? serviceName,
    serviceInstanceId: config.processorId,
  });
  // A collector that is away must not fail the shutdown: its spans are lost either way.
  return { tracing: telemetry.tracing, close: () => telemetry.shutdown().catch(() => undefined) };
}
