import { describe, expect, it } from 'vitest';
import { TRACE_HEADER_NAMES } from '@kafka-monitor/domain';
import type { MessageTracing, StoredMessage } from '@kafka-monitor/domain';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function consumed(headers: Readonly<Record<string, string>>): StoredMessage {
  return { topic: 'orders', partition: 0, offset: 0, key: 'k', value: new Uint8Array(), headers, timestamp: 0 };
}

/** The behaviour every MessageTracing adapter must show, whether it traces (`enabled`) or not. */
export function describeMessageTracingContract(name: string, create: () => MessageTracing): void {
  describe(`MessageTracing contract: ${name}`, () => {
    it('spans carry only W3C trace headers, and ending one again or after delivery never throws', () => {
      const tracing = create();
      const send = tracing.startSend({ topic: 'orders', key: 'k', parent: { traceparent: 'malformed' } });
      const process = tracing.startProcess('g', consumed({ traceparent: 'malformed', other: 'x' }));
      for (const span of [send, process]) {
        expect(Object.keys(span.headers).every((h) => (TRACE_HEADER_NAMES as readonly string[]).includes(h))).toBe(
          true,
        );
        span.delivered({ topic: 'orders', partition: 0, offset: 1 });
        span.end(new Error('failed'));
        span.end();
      }
    });

    it('when enabled, context flows: parent → send → process, each a valid traceparent in one trace', () => {
      const tracing = create();
      const send = tracing.startSend({
        topic: 'orders',
        key: 'k',
        parent: { traceparent: `00-${PARENT_TRACE}-00f067aa0ba902b7-01` },
      });
      const process = tracing.startProcess('g', consumed(send.headers));
      if (!tracing.enabled) {
        expect(send.headers).toEqual({});
        expect(process.headers).toEqual({});
        return;
      }
      const sent = TRACEPARENT.exec(send.headers.traceparent ?? '');
      const processed = TRACEPARENT.exec(process.headers.traceparent ?? '');
      expect(sent?.[1]).toBe(PARENT_TRACE);
      expect(processed?.[1]).toBe(PARENT_TRACE);
      expect(processed?.[2]).not.toBe(sent?.[2]);
      // Without a parent, a send starts a trace of its own.
      const fresh = TRACEPARENT.exec(tracing.startSend({ topic: 'orders', key: null }).headers.traceparent ?? '');
      expect(fresh?.[1]).toBeDefined();
      expect(fresh?.[1]).not.toBe(PARENT_TRACE);
      send.end();
      process.end();
    });
  });
}
