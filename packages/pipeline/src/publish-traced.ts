import { TRACE_HEADER_NAMES } from '@kafka-monitor/domain';
import type {
  EventBus,
  MessagePosition,
  MessageSpan,
  MessageTracing,
  OutgoingMessage,
  TraceHeaders,
} from '@kafka-monitor/domain';

/** Where a sent message sits in its trace: the context it continues and those it only follows from. */
export interface SendTrace {
  readonly parent?: TraceHeaders | undefined;
  readonly links?: readonly TraceHeaders[];
}

function withoutTraceHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = { ...headers };
  for (const name of TRACE_HEADER_NAMES) delete kept[name];
  return kept;
}

/**
 * Publishes messages, each under its own send span: `traces[i]` places message i in its trace, and
 * the span's context replaces any trace headers the message had. With tracing off this is exactly
 * `bus.publish`. The spans end when the bus acknowledged (or refused) the messages.
 */
export async function publishTraced(
  bus: EventBus,
  tracing: MessageTracing,
  topic: string,
  messages: readonly OutgoingMessage[],
  traces: readonly (SendTrace | undefined)[] = [],
): Promise<readonly MessagePosition[]> {
  if (!tracing.enabled || messages.length === 0) return bus.publish(topic, messages);
  const spans: MessageSpan[] = [];
  const traced = messages.map((message, i): OutgoingMessage => {
    const trace = traces[i];
    const span = tracing.startSend({
      topic,
      key: message.key,
      ...(trace?.parent === undefined ? {} : { parent: trace.parent }),
      ...(trace?.links === undefined ? {} : { links: trace.links }),
    });
    spans.push(span);
    return { ...message, headers: { ...withoutTraceHeaders(message.headers), ...span.headers } };
  });
  let positions: readonly MessagePosition[];
  try {
    positions = await bus.publish(topic, traced);
  } catch (error) {
    for (const span of spans) span.end(error);
    throw error;
  }
  spans.forEach((span, i) => {
    const position = positions[i];
    if (position !== undefined) span.delivered(position);
    span.end();
  });
  return positions;
}

/** Ends every span, failed with `error` when given; for the process spans of a consumed batch. */
export function endSpans(spans: readonly MessageSpan[], error?: unknown): void {
  for (const span of spans) span.end(error);
}

/**
 * Runs a batch's work and ends its process spans after it: failed with the error that rejected it,
 * which the bus then redelivers (and traces again), or succeeded once the effect is durable.
 */
export async function withSpans<T>(spans: readonly MessageSpan[], work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    endSpans(spans, error);
    throw error;
  }
  endSpans(spans);
  return result;
}
