import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { noMessageTracing, type EventBus, type OutgoingMessage } from '@kafka-monitor/domain';
import { createRecordingTracing } from '@kafka-monitor/telemetry';
import { describeMessageTracingContract } from '@kafka-monitor/testkit';
import { publishTraced, withSpans } from './publish-traced.js';

describeMessageTracingContract('off (noMessageTracing)', () => noMessageTracing);

describe('publishTraced', () => {
  let bus: EventBus | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });
  async function open(): Promise<{ bus: EventBus; published: (readonly OutgoingMessage[])[] }> {
    const real = createEmbeddedEventBus({ file: ':memory:' });
    bus = real;
    await real.ensureTopics([{ name: 'orders', partitions: 1 }]);
    const published: (readonly OutgoingMessage[])[] = [];
    const watched: EventBus = {
      ...real,
      publish: (topic, messages) => {
        published.push(messages);
        return real.publish(topic, messages);
      },
    };
    return { bus: watched, published };
  }

  it('with tracing off hands the messages to the bus untouched', async () => {
    const { bus: watched, published } = await open();
    const messages = [{ key: 'k', value: 'v', headers: { traceparent: 'kept as it is' } }];
    await publishTraced(watched, noMessageTracing, 'orders', messages, [{ parent: { traceparent: 'x' } }]);
    expect(published[0]).toBe(messages);
  });

  it('replaces the trace headers a message had with its send span context, keeping the others', async () => {
    const { bus: watched } = await open();
    const recording = createRecordingTracing();
    const [position] = await publishTraced(watched, recording.tracing, 'orders', [
      { key: 'k', value: 'v', headers: { traceparent: 'stale', tracestate: 'old=1', other: 'x' } },
    ]);
    const [stored] = await watched.read('orders', 0, position?.offset ?? 0, 1);
    const [span] = recording.spans();
    expect(stored?.headers).toEqual({ other: 'x', traceparent: `00-${span?.traceId ?? ''}-${span?.spanId ?? ''}-01` });
    expect(span?.attributes['messaging.kafka.offset']).toBe(position?.offset);
  });

  it('ends every span failed when the bus refuses, and rethrows', async () => {
    const { bus: watched } = await open();
    const recording = createRecordingTracing();
    await expect(
      publishTraced(watched, recording.tracing, 'missing', [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ]),
    ).rejects.toThrow(/does not exist/);
    expect(recording.spans().map((s) => s.failed)).toEqual([true, true]);
  });

  it('withSpans ends process spans after the work, failed when it rejects', async () => {
    const recording = createRecordingTracing();
    const message = {
      topic: 'orders',
      partition: 0,
      offset: 0,
      key: 'k',
      value: new Uint8Array(),
      headers: {},
      timestamp: 0,
    };
    const ok = [recording.tracing.startProcess('g', message)];
    expect(await withSpans(ok, () => Promise.resolve(7))).toBe(7);
    const failing = [recording.tracing.startProcess('g', message)];
    await expect(withSpans(failing, () => Promise.reject(new TypeError('store down')))).rejects.toThrow('store down');
    expect(recording.spans().map((s) => [s.failed, s.attributes['error.type']])).toEqual([
      [false, undefined],
      [true, 'TypeError'],
    ]);
  });
});
