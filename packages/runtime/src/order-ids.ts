import { randomFillSync } from 'node:crypto';
import { timeOrderedOrderId } from '@kafka-monitor/domain';

/** A new id (orders, requests) for this process: time-ordered (decision 10), random bits from the OS. */
export function newTimeOrderedId(): string {
  return timeOrderedOrderId(Date.now(), randomFillSync(new Uint8Array(10)));
}
