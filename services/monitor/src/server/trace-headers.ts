import type { IncomingHttpHeaders } from 'node:http';
import type { TraceHeaders } from '@kafka-monitor/domain';

/**
 * The W3C trace context of an HTTP request, for the messages it sends to continue; undefined when the
 * request has none. A repeated header is not a valid context (W3C) and is dropped; the tracing checks
 * the values themselves and starts a new trace for malformed ones.
 */
export function traceHeadersOf(headers: IncomingHttpHeaders): TraceHeaders | undefined {
  const { traceparent, tracestate } = headers;
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}
