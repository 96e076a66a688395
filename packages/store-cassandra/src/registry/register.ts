import { registerOrder } from '@kafka-monitor/domain';
import type { Consumed, Order, RegisteredOrder, RegistryMessage, ValidationMessage } from '@kafka-monitor/domain';
import type { FeedChange } from '../change-feed.js';
import { createOrderClaims, type ClaimResult } from '../claims.js';
import { num } from '../rows.js';
import type { PartitionWrite } from '../writes.js';
import { feedChange, registeredValues } from './rows.js';
import type { RegistryContext } from './statements.js';
import type { StatusIndex } from './status-index.js';
import type { Tally } from './tally.js';

export const LOST: ClaimResult = { kind: 'lost' };

export type Registration = ReturnType<typeof createRegistration>;

/**
 * Registrations: once per order id, claimed per order (a store older than registration_claims) or
 * for a whole batch at once.
 */
export function createRegistration({ session, cql, keyspace }: RegistryContext, statusIndex: StatusIndex) {
  const { firstIndexRow } = statusIndex;
  const claimRegistrations = createOrderClaims(session, `${keyspace}.registration_claims`, ['registered_at']);

  /**
   * Registers once per order id; returns the registration when this log position made it. `claim` is
   * the outcome of the batch's registration claims, or undefined where registering claims per order.
   */
  async function register(
    message: ValidationMessage,
    token: string,
    now: number,
    tally: Tally,
    changes: FeedChange[],
    claim: ClaimResult | undefined,
    pending: { add(rows: readonly PartitionWrite[]): void },
  ): Promise<RegisteredOrder | undefined> {
    const { registered, update } = registerOrder(message.order, message.result, now);
    const o = registered.order;
    let firstRegisteredAt: number | undefined;
    if (claim === undefined) {
      const result = await session.lwt(cql.register, registeredValues(registered, token, update));
      if (!result.applied && result.current?.registered_by !== token) return undefined;
      if (!result.applied) tally.repeated = true;
      if (!result.applied && result.current !== undefined) firstRegisteredAt = num(result.current, 'registered_at');
    } else {
      if (claim.kind === 'lost') return undefined;
      if (claim.kind === 'again') {
        tally.repeated = true;
        firstRegisteredAt = num(claim.row, 'registered_at');
      }
    }
    // Replaying our own registration: the first attempt's time stands.
    const stored =
      firstRegisteredAt === undefined
        ? registered
        : { ...registered, registeredAt: firstRegisteredAt, updatedAt: firstRegisteredAt };
    const first = { ...update, updatedAt: stored.registeredAt };
    // Independent writes, each idempotent: a crash between them replays the registration as a whole.
    // Version 1 of the history lives in the order row (initial_status, registration_reason): one
    // partition write per registration less than a row of its own in order_updates.
    pending.add([
      ...(claim === undefined
        ? []
        : [
            {
              partition: `registered_orders\u0000${o.orderId}`,
              cql: cql.writeRegistered,
              params: registeredValues(stored, token, first),
            },
          ]),
      await firstIndexRow(stored),
    ]);
    changes.push(feedChange(first, o));
    tally.countRegistration(stored);
    return stored;
  }

  /** Claims the registrations of a batch at once; the outcome by offset of each order id's first validation. */
  async function claimBatch(
    entries: readonly Consumed<RegistryMessage>[],
    tokenAt: (offset: number) => string,
    now: number,
  ): Promise<Map<number, ClaimResult>> {
    const firsts = new Map<string, { offset: number; order: Order }>();
    for (const { offset, content } of entries) {
      if (content?.kind === 'validation' && !firsts.has(content.order.orderId)) {
        firsts.set(content.order.orderId, { offset, order: content.order });
      }
    }
    const results = await claimRegistrations(
      [...firsts.values()].map(({ offset, order }) => ({
        orderId: order.orderId,
        orderTimestamp: order.timestamp,
        token: tokenAt(offset),
        values: [now],
      })),
    );
    return new Map([...firsts.values()].map(({ offset, order }) => [offset, results.get(order.orderId) ?? LOST]));
  }

  return { register, claimBatch };
}
