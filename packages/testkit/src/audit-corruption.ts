import { describe, expect, it } from 'vitest';
import {
  GROUPS,
  TOPICS,
  decodeOrder,
  decodeRegistryMessage,
  encodeStatusChange,
  encodeValidationMessage,
  generateOrder,
  orderToWire,
  validateOrder,
} from '@kafka-monitor/domain';
import type {
  AuditReport,
  Consumed,
  Decoded,
  EventBus,
  Order,
  RegistryStore,
  StoredMessage,
  Store,
  ViewStore,
} from '@kafka-monitor/domain';

/** The audit under test (the pipeline's `runAudit`, which this package cannot depend on). */
export type RunAudit = (deps: {
  readonly bus: EventBus;
  readonly views: ViewStore;
  readonly registry: RegistryStore;
  readonly now: () => number;
}) => Promise<AuditReport>;
import { memoryLog } from './memory-log.js';
import { seededRandom } from './seeded-random.js';

/** A store with the pipeline's data in it, and ways to change one stored row behind the store's back. */
export interface AuditFixture {
  readonly store: Store;
  /** Adds `cents` to the stored total spent of one customer, touching nothing else. */
  addToCustomerSpent(customerId: number, cents: number): Promise<void>;
  /** Sets the stored status of one registered order, touching nothing else (not its history, not the totals). */
  setRegisteredStatus(orderId: string, status: string): Promise<void>;
  cleanup(): Promise<void>;
}

const ORDERS = 400;
const NOW = Date.UTC(2026, 11, 1);
const utf8 = new TextDecoder();

function decodeAll<T>(messages: readonly StoredMessage[], decode: (text: string) => Decoded<T>): Consumed<T>[] {
  return messages.map((m) => {
    const decoded = decode(utf8.decode(m.value));
    return { offset: m.offset, content: decoded.ok ? decoded.value : null };
  });
}

/**
 * The consistency audit against one store: the logs and the store filled as the processors fill them
 * (orders with anomalies, a replayed order, a poison message, decisions including a repeated and an
 * unknown one), then one stored row changed behind the store's back must be reported, and only it.
 */
export function describeAuditCorruption(name: string, runAudit: RunAudit, open: () => Promise<AuditFixture>): void {
  describe(`consistency audit on ${name}`, () => {
    it('reports no drift on what the processors stored, then exactly the one row changed behind the store', async () => {
      const fixture = await open();
      try {
        const { store } = fixture;
        const log = memoryLog({ [TOPICS.orders]: 3, [TOPICS.registry]: 3 });
        const random = seededRandom(21);
        const orders: Order[] = Array.from({ length: ORDERS }, (_, i) =>
          generateOrder(
            random,
            { orderId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, timestamp: NOW - i * 1000 },
            0.3,
          ),
        );
        const first = orders[0];
        if (first === undefined) throw new Error('no orders');
        log.append(TOPICS.orders, [
          ...orders.map((o) => ({ key: o.orderId, value: JSON.stringify(orderToWire(o)) })),
          { key: first.orderId, value: JSON.stringify(orderToWire(first)) },
          { key: 'poison', value: 'not json' },
        ]);
        // What the query processor does: each partition's messages, decoded, applied with their offsets.
        for (let partition = 0; partition < 3; partition++) {
          const messages = await log.read(TOPICS.orders, partition, 0, 10_000);
          const source = { consumer: GROUPS.queryProcessor, topic: TOPICS.orders, partition };
          await store.views.applyOrders(source, decodeAll(messages, decodeOrder), NOW);
        }
        const valid = orders.filter((o) => o.customerId > 0 && o.productId !== '');
        log.append(
          TOPICS.registry,
          valid.map((o) => ({ key: o.orderId, value: encodeValidationMessage(o, validateOrder(o), NOW) })),
        );
        const registeredPending = () => store.registry.byStatus('pending', 1_000);
        const decide = (orderId: string, requestId: string, newStatus: 'accepted' | 'denied') => ({
          key: orderId,
          value: encodeStatusChange({
            orderId,
            newStatus,
            reason: null,
            requestedAt: NOW,
            requestId,
            requestedBy: 'audit-test',
          }),
        });
        const applyRegistry = async (from: readonly number[]): Promise<number[]> => {
          const ends: number[] = [];
          for (let partition = 0; partition < 3; partition++) {
            const messages = await log.read(TOPICS.registry, partition, from[partition] ?? 0, 10_000);
            const source = { consumer: GROUPS.registryProcessor, topic: TOPICS.registry, partition };
            await store.registry.applyRegistryMessages(source, decodeAll(messages, decodeRegistryMessage), NOW);
            ends.push((from[partition] ?? 0) + messages.length);
          }
          return ends;
        };
        const registeredEnds = await applyRegistry([0, 0, 0]);
        const pending = await registeredPending();
        expect(pending.length).toBeGreaterThan(3);
        const [a, b, c] = pending.map((r) => r.order.orderId);
        if (a === undefined || b === undefined || c === undefined) throw new Error('too few pending orders');
        log.append(TOPICS.registry, [
          decide(a, 'request-1', 'accepted'),
          decide(b, 'request-2', 'denied'),
          decide(b, 'request-2', 'denied'),
          decide(c, 'request-3', 'accepted'),
          decide(c, 'request-4', 'denied'),
          decide('00000000-0000-4000-8000-999999999999', 'request-5', 'accepted'),
        ]);
        await applyRegistry(registeredEnds);

        const audit = () => runAudit({ bus: log, views: store.views, registry: store.registry, now: Date.now });
        const clean = await audit();
        expect(clean.drifts).toEqual([]);
        expect(clean).toMatchObject({
          clean: true,
          caughtUp: true,
          skippedAfterCut: 0,
          read: { orders: ORDERS + 2, registry: valid.length + 6, undecodable: 1 },
          compared: { registeredOrders: valid.length, totals: 2 },
        });

        // Live traffic: orders appended and applied while the audit reads the store came after the cut.
        // The rows they touch may rightly differ from the cut: left out, not reported as drift.
        const liveOrders = orders.slice(0, 20).map((o, i) => ({
          ...o,
          orderId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
        }));
        let sent = false;
        const liveViews: ViewStore = {
          ...store.views,
          topCustomers: async (limit) => {
            if (!sent) {
              sent = true;
              const ends = (await log.listTopics()).find((t) => t.name === TOPICS.orders)?.endOffsets ?? [];
              log.append(
                TOPICS.orders,
                liveOrders.map((o) => ({ key: o.orderId, value: JSON.stringify(orderToWire(o)) })),
              );
              for (let partition = 0; partition < 3; partition++) {
                const messages = await log.read(TOPICS.orders, partition, ends[partition] ?? 0, 10_000);
                const source = { consumer: GROUPS.queryProcessor, topic: TOPICS.orders, partition };
                await store.views.applyOrders(source, decodeAll(messages, decodeOrder), NOW);
              }
            }
            return store.views.topCustomers(limit);
          },
        };
        const live = await runAudit({ bus: log, views: liveViews, registry: store.registry, now: Date.now });
        expect(live.drifts).toEqual([]);
        const touched =
          new Set(liveOrders.map((o) => o.customerId)).size + new Set(liveOrders.map((o) => o.productId)).size;
        expect(live).toMatchObject({ clean: true, skippedAfterCut: touched + 1, read: { orders: ORDERS + 2 } });
        // Audited again, the cut includes them and every row is compared.
        expect((await audit()).read.orders).toBe(ORDERS + 2 + liveOrders.length);
        expect((await audit()).clean).toBe(true);

        const customer = (await store.views.topCustomers(1))[0];
        if (customer === undefined) throw new Error('no customer stored');
        await fixture.addToCustomerSpent(customer.customerId, 1);
        expect((await audit()).drifts).toEqual([
          {
            view: 'customer',
            key: String(customer.customerId),
            field: 'totalSpentCents',
            expected: customer.totalSpentCents,
            stored: customer.totalSpentCents + 1,
          },
        ]);
        await fixture.addToCustomerSpent(customer.customerId, -1);
        expect((await audit()).clean).toBe(true);

        await fixture.setRegisteredStatus(a, 'denied');
        expect((await audit()).drifts).toEqual([
          { view: 'registered-order', key: a, field: 'status', expected: 'accepted', stored: 'denied' },
        ]);
      } finally {
        await fixture.cleanup();
      }
    }, 120_000);
  });
}
