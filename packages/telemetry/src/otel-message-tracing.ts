import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type {
  MessagePosition,
  MessageSpan,
  MessageTracing,
  SendSpanOptions,
  StoredMessage,
  TraceHeaders,
} from '@kafka-monitor/domain';
import { KAFKA_SYSTEM, MESSAGING, OTHER_ERROR } from './messaging-attributes.js';

const propagator = new W3CTraceContextPropagator();
const MAX_STATUS_MESSAGE = 200;

/** The context carried by W3C headers; the root context (a new trace) when they carry none or a malformed one. */
export function extractContext(headers: TraceHeaders | undefined): Context {
  return headers === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

function injectHeaders(span: Span): TraceHeaders {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  return headers;
}

/** A low-cardinality class for `error.type`: the error's stable code, else its name. */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return OTHER_ERROR;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' ? name : OTHER_ERROR;
}

function linkTo(headers: TraceHeaders): Link[] {
  const context = trace.getSpanContext(extractContext(headers));
  return context === undefined ? [] : [{ context }];
}

/** Wraps an OpenTelemetry span as the port's span: inject once, end once. */
function messageSpan(span: Span): MessageSpan {
  let ended = false;
  return {
    headers: injectHeaders(span),
    delivered(position: MessagePosition) {
      span.setAttribute(MESSAGING.partitionId, String(position.partition));
      span.setAttribute(MESSAGING.kafkaOffset, position.offset);
    },
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(error));
        const message = error instanceof Error ? error.message.slice(0, MAX_STATUS_MESSAGE) : undefined;
        span.setStatus(
          message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message },
        );
      }
      span.end();
    },
  };
}

/**
 * The MessageTracing port on an OpenTelemetry tracer, following the messaging semantic conventions:
 * `send <topic>` PRODUCER spans and `process <topic>` CONSUMER spans, the context propagated in W3C
 * `traceparent`/`tracestate` headers. Contexts are passed explicitly, never through a global context
 * manager or propagator, so nothing else in the process is affected.
 */
export function createOtelMessageTracing(tracer: Tracer): MessageTracing {
  return {
    enabled: true,
    startSend(options: SendSpanOptions): MessageSpan {
      const attributes: Attributes = {
        [MESSAGING.system]: KAFKA_SYSTEM,
        [MESSAGING.operationType]: 'send',
        [MESSAGING.operationName]: 'send',
        [MESSAGING.destinationName]: options.topic,
      };
      if (options.key !== null) attributes[MESSAGING.kafkaMessageKey] = options.key;
      const links = (options.links ?? []).flatMap(linkTo);
      const span = tracer.startSpan(
        `send ${options.topic}`,
        { kind: SpanKind.PRODUCER, attributes, links },
        extractContext(options.parent),
      );
      return messageSpan(span);
    },
    startProcess(group: string, message: StoredMessage): MessageSpan {
      const attributes: Attributes = {
        [MESSAGING.system]: KAFKA_SYSTEM,
        [MESSAGING.operationType]: 'process',
        [MESSAGING.operationName]: 'process',
        [MESSAGING.destinationName]: message.topic,
        [MESSAGING.partitionId]: String(message.partition),
        [MESSAGING.kafkaOffset]: message.offset,
        [MESSAGING.consumerGroup]: group,
      };
      if (message.key !== null) attributes[MESSAGING.kafkaMessageKey] = message.key;
      const span = tracer.startSpan(
        `process ${message.topic}`,
        { kind: SpanKind.CONSUMER, attributes },
        extractContext(message.headers),
      );
      return messageSpan(span);
    },
  };
}
