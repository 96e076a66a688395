import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '@kafka-monitor/domain';
import { describeMessageTracingContract } from '@kafka-monitor/testkit';
import { errorTypeOf } from './otel-message-tracing.js';
import { tracesUrl } from './otlp-tracing.js';
import { createRecordingTracing } from './recording-tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function message(headers: Record<string, string>, key: string | null = 'order-1'): StoredMessage {
  return { topic: 'orders', partition: 2, offset: 41, key, value: new Uint8Array(), headers, timestamp: 0 };
}

describe('OpenTelemetry message tracing', () => {
  it('a send continues its parent and puts its own context in the headers it returns', () => {
    const recording = createRecordingTracing();
    const span = recording.tracing.startSend({
      topic: 'orders',
      key: 'order-1',
      parent: { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=opaque' },
    });
    expect(span.headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(span.headers.tracestate).toBe('vendor=opaque');
    span.delivered({ topic: 'orders', partition: 1, offset: 7 });
    span.end();
    span.end(new Error('ignored: the span has ended'));
    const [recorded, ...others] = recording.spans();
    expect(others).toEqual([]);
    expect(recorded).toMatchObject({
      name: 'send orders',
      kind: 'producer',
      traceId: TRACE,
      parentSpanId: PARENT,
      failed: false,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.partition.id': '1',
        'messaging.kafka.offset': 7,
        'messaging.kafka.message.key': 'order-1',
      },
    });
    expect(span.headers.traceparent).toBe(`00-${TRACE}-${recorded?.spanId ?? ''}-01`);
  });

  it('a process span is the child of the context in the message headers, with the consumer group', () => {
    const recording = createRecordingTracing();
    recording.tracing.startProcess('query-processor', message({ traceparent: `00-${TRACE}-${PARENT}-01` })).end();
    expect(recording.spans()[0]).toMatchObject({
      name: 'process orders',
      kind: 'consumer',
      traceId: TRACE,
      parentSpanId: PARENT,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'orders',
        'messaging.destination.partition.id': '2',
        'messaging.kafka.offset': 41,
        'messaging.consumer.group.name': 'query-processor',
      },
    });
  });

  it('a missing or malformed context starts a new trace; a null key sets no key attribute', () => {
    const recording = createRecordingTracing();
    recording.tracing.startProcess('g', message({ traceparent: 'garbage' }, null)).end();
    recording.tracing.startSend({ topic: 'orders', key: null }).end();
    for (const span of recording.spans()) {
      expect(span.parentSpanId).toBeUndefined();
      expect(span.traceId).not.toBe(TRACE);
      expect(span.attributes).not.toHaveProperty('messaging.kafka.message.key');
    }
  });

  it('links a send to other contexts and skips links that carry none', () => {
    const recording = createRecordingTracing();
    recording.tracing
      .startSend({ topic: 'orders', key: 'k', links: [{ traceparent: `00-${TRACE}-${PARENT}-01` }, { other: 'x' }] })
      .end();
    expect(recording.spans()[0]?.links).toEqual([{ traceId: TRACE, spanId: PARENT }]);
  });

  it('a failed span carries error.type: the error code, else its name', () => {
    const recording = createRecordingTracing();
    const failure = Object.assign(new Error('bus down'), { code: 'BUS_UNAVAILABLE' });
    recording.tracing.startSend({ topic: 'orders', key: 'k' }).end(failure);
    expect(recording.spans()[0]).toMatchObject({ failed: true, attributes: { 'error.type': 'BUS_UNAVAILABLE' } });
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorTypeOf('a string')).toBe('_OTHER');
  });

  it('sends spans to <endpoint>/v1/traces', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://collector/otlp/')).toBe('https://collector/otlp/v1/traces');
  });
});

describeMessageTracingContract('OpenTelemetry', () => createRecordingTracing().tracing);
