import type { MessagePosition, StoredMessage } from './event-bus.js';

/**
 * W3C trace context as headers, the same on a message and on an HTTP request: `traceparent` and, when
 * present, `tracestate`. Any other entries are ignored by the tracing.
 */
export type TraceHeaders = Readonly<Record<string, string>>;

/** The header names of the W3C trace context, which a traced send replaces on the message it sends. */
export const TRACE_HEADER_NAMES = ['traceparent', 'tracestate'] as const;

/** One span: the sending of one message, or the processing of one consumed message. */
export interface MessageSpan {
  /** This span's context as headers, to continue it on a message sent on its behalf; empty when off. */
  readonly headers: TraceHeaders;
  /** Records where the sent message landed, once the bus acknowledged it. */
  delivered(position: MessagePosition): void;
  /** Ends the span; an error marks it failed (`error.type`). Ending a span again changes nothing. */
  end(error?: unknown): void;
}

export interface SendSpanOptions {
  readonly topic: string;
  readonly key: string | null;
  /** The context this send continues (a consumed message's span, an HTTP request's headers); a new trace when absent or invalid. */
  readonly parent?: TraceHeaders;
  /** Contexts this send follows from without continuing them, such as a redriven dead letter's original. */
  readonly links?: readonly TraceHeaders[];
}

/**
 * Traces the pipeline's messages: a PRODUCER span per message sent, whose context travels in the
 * message's headers, and a CONSUMER span per message processed, a child of that context. So one order
 * is one trace across processes and buses. Spans are reported in the background and may be dropped
 * under load or when the collector is away: tracing never fails or delays the work it watches.
 */
export interface MessageTracing {
  /** False when tracing is off: callers may then skip preparing headers at all. */
  readonly enabled: boolean;
  startSend(options: SendSpanOptions): MessageSpan;
  /** A span for processing `message` as a member of `group`, continuing the context in its headers. */
  startProcess(group: string, message: StoredMessage): MessageSpan;
}

const noSpan: MessageSpan = {
  headers: {},
  delivered: () => undefined,
  end: () => undefined,
};

/** Tracing switched off: every span is the same inert object, so the work it watches pays nothing. */
export const noMessageTracing: MessageTracing = {
  enabled: false,
  startSend: () => noSpan,
  startProcess: () => noSpan,
};
