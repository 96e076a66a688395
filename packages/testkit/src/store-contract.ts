import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { deadLetterId, partitionForKey, validateOrder } from '@kafka-monitor/domain';
import type {
  CollectedDeadLetter,
  Consumed,
  Order,
  RegistryMessage,
  SourcePartition,
  StatusChange,
  Store,
  StoreKind,
} from '@kafka-monitor/domain';
import { makeOrder, orderArbitrary } from './arbitraries.js';
import { expectedViews, snapshotViews } from './snapshot.js';

export interface StoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export interface StoreContractOptions {
  /** fast-check runs for the property; real engines get fewer because each run is a fresh keyspace. */
  readonly propertyRuns?: number;
  /** The kind the adapter must describe itself as. */
  readonly kind?: StoreKind;
}

const NOW = 1_700_000_500_000;
const encoder = new TextEncoder();

const source = (partition = 0, topic = 'orders', consumer = 'query-processor'): SourcePartition => ({
  consumer,
  topic,
  partition,
});

const DAY_MS = 86_400_000;

/** Calls an expiry step until it deletes fewer than `limit` (as the background retention does); the total deleted. */
async function drain(step: (limit: number) => Promise<number>, limit: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await step(limit);
    total += deleted;
    if (deleted < limit) return total;
  }
}

const consumed = <T>(contents: readonly (T | null)[], firstOffset = 0): Consumed<T>[] =>
  contents.map((content, i) => ({ offset: firstOffset + i, content }));

const validation = (order: Order): RegistryMessage => ({
  kind: 'validation',
  order,
  result: validateOrder(order),
  timestamp: NOW,
});

const change = (
  orderId: string,
  newStatus: 'accepted' | 'denied',
  requestId: string = randomUUID(),
): RegistryMessage => {
  const statusChange: StatusChange = {
    orderId,
    newStatus,
    reason: 'operator',
    requestedAt: NOW,
    requestId,
    requestedBy: 'test',
  };
  return { kind: 'status-change', change: statusChange };
};

/** The behaviour every Store adapter must show; each adapter's test calls this with its factory. */
export function describeStoreContract(
  name: string,
  createFixture: () => Promise<StoreFixture>,
  options: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture | undefined;
    const open = async (): Promise<Store> => {
      fixture = await createFixture();
      return fixture.store;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    describe('views', () => {
      it('folds orders into customers, products, timeline and totals', async () => {
        const store = await open();
        const orders = [
          makeOrder({
            orderId: 'a',
            customerId: 1,
            productId: 'PROD-001',
            quantity: 2,
            totalCents: 2_000,
            timestamp: 10,
          }),
          makeOrder({
            orderId: 'b',
            customerId: 1,
            productId: 'PROD-002',
            quantity: 1,
            totalCents: 500,
            timestamp: 30,
          }),
          makeOrder({
            orderId: 'c',
            customerId: 2,
            productId: 'PROD-001',
            quantity: 4,
            totalCents: 999,
            timestamp: 20,
          }),
        ];
        await store.views.applyOrders(source(), consumed(orders), NOW);
        expect(await store.views.customer(1)).toEqual({
          customerId: 1,
          totalOrders: 2,
          totalSpentCents: 2_500,
          firstOrderTimestamp: 10,
          lastOrderId: 'b',
          lastOrderTimestamp: 30,
        });
        expect(await store.views.product('PROD-001')).toEqual({
          productId: 'PROD-001',
          totalQuantity: 6,
          totalRevenueCents: 2_999,
          orderCount: 2,
          lastOrderTimestamp: 20,
        });
        expect((await store.views.timeline(2)).map((t) => t.orderId)).toEqual(['b', 'c']);
        expect(await store.views.timelineEntry('c')).toMatchObject({ orderId: 'c', totalCents: 999 });
        expect(await store.views.totals()).toEqual({
          totalOrders: 3,
          totalSpentCents: 3_499,
          customerCount: 2,
          productCount: 2,
        });
        expect((await store.views.topCustomers(1)).map((c) => c.customerId)).toEqual([1]);
        expect((await store.views.topProducts(5)).map((p) => p.productId)).toEqual(['PROD-001', 'PROD-002']);
        expect(await store.views.customer(99)).toBeUndefined();
        expect(await store.views.product('nope')).toBeUndefined();
      });

      it('orders a timeline of equal timestamps by order id, highest first, also where the limit cuts them', async () => {
        const store = await open();
        const at = (orderId: string, timestamp: number) => makeOrder({ orderId, timestamp });
        const orders = [at('c', 50), at('z', 40), at('a', 50), at('e', 50), at('n', 60), at('b', 50), at('d', 50)];
        await store.views.applyOrders(source(), consumed(orders), NOW);
        const ids = async (limit: number) => (await store.views.timeline(limit)).map((t) => t.orderId);
        expect(await ids(3)).toEqual(['n', 'e', 'd']);
        expect(await ids(5)).toEqual(['n', 'e', 'd', 'c', 'b']);
        expect(await ids(6)).toEqual(['n', 'e', 'd', 'c', 'b', 'a']);
        expect(await ids(100)).toEqual(['n', 'e', 'd', 'c', 'b', 'a', 'z']);
      });

      it('matches product ids by case-insensitive prefix, with wildcards taken literally', async () => {
        const store = await open();
        const ids = ['PROD-001', 'PROD-002', 'prod_x', 'OTHER'];
        await store.views.applyOrders(
          source(),
          consumed(ids.map((productId, i) => makeOrder({ orderId: `o${i}`, productId }))),
          NOW,
        );
        expect((await store.views.searchProducts('prod-', 10)).map((p) => p.productId).sort()).toEqual([
          'PROD-001',
          'PROD-002',
        ]);
        expect((await store.views.searchProducts('PROD_', 10)).map((p) => p.productId)).toEqual(['prod_x']);
        expect(await store.views.searchProducts('%', 10)).toEqual([]);
        expect(await store.views.searchProducts('', 2)).toHaveLength(2);
      });

      it('ignores a redelivered batch and counts processed and poison entries once', async () => {
        const store = await open();
        const batch = consumed([makeOrder({ orderId: 'a' }), null, makeOrder({ orderId: 'b' })], 5);
        expect(await store.views.applyOrders(source(), batch, NOW)).toEqual({ applied: 3, skipped: 0 });
        expect(await store.views.applyOrders(source(), batch, NOW)).toEqual({ applied: 0, skipped: 3 });
        const overlapping = [...batch.slice(1), { offset: 8, content: makeOrder({ orderId: 'c' }) }];
        expect(await store.views.applyOrders(source(), overlapping, NOW + 1)).toEqual({ applied: 1, skipped: 2 });
        expect((await store.views.totals()).totalOrders).toBe(3);
        expect(await store.views.processingStats('query-processor')).toEqual({
          processorId: 'query-processor',
          processedCount: 3,
          errorCount: 1,
          lastProcessedTimestamp: NOW + 1,
        });
      });

      it('counts an order id once even when the log holds it twice', async () => {
        const store = await open();
        const order = makeOrder({ orderId: 'dup', totalCents: 700 });
        await store.views.applyOrders(source(1), consumed([order, order]), NOW);
        await store.views.applyOrders(source(1), consumed([order], 2), NOW);
        expect(await store.views.totals()).toEqual({
          totalOrders: 1,
          totalSpentCents: 700,
          customerCount: 1,
          productCount: 1,
        });
        expect((await store.views.processingStats('query-processor'))?.processedCount).toBe(3);
      });

      it('keeps positions per partition and per consumer', async () => {
        const store = await open();
        await store.views.applyOrders(source(0), consumed([makeOrder({ orderId: 'p0' })]), NOW);
        const other = await store.views.applyOrders(source(1), consumed([makeOrder({ orderId: 'p1' })]), NOW);
        expect(other.applied).toBe(1);
        expect((await store.views.totals()).totalOrders).toBe(2);
      });

      it('equals the recomputation from distinct orders for any duplication and interleaving (property)', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(orderArbitrary, { minLength: 1, maxLength: 40 }),
            fc.array(fc.nat(), { maxLength: 40 }),
            fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
            fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
            async (distinct, duplicatePicks, batchSizes, schedule) => {
              const fixtureForRun = await createFixture();
              try {
                const log = [...distinct];
                for (const pick of duplicatePicks) log.push(log[pick % log.length] as Order);
                // Route by key like the producer: a repeated order lands in its original's partition.
                const partitions: Order[][] = [[], [], []];
                for (const order of log) partitions[partitionForKey(encoder.encode(order.orderId), 3)]?.push(order);
                const cursors = [0, 0, 0];
                let step = 0;
                while (cursors.some((c, p) => c < (partitions[p]?.length ?? 0))) {
                  // The schedule picks a partition; an exhausted pick moves on to the next unfinished one.
                  let p = (schedule[step % schedule.length] ?? 0) % 3;
                  while ((cursors[p] ?? 0) >= (partitions[p]?.length ?? 0)) p = (p + 1) % 3;
                  const size = batchSizes[step % batchSizes.length] ?? 1;
                  const messages = partitions[p] ?? [];
                  const from = cursors[p] ?? 0;
                  step++;
                  // Sometimes replay an earlier stretch too, as a consumer does after a crash before its commit.
                  const replayFrom = step % 4 === 0 ? Math.max(0, from - size) : from;
                  const entries = messages
                    .slice(replayFrom, from + size)
                    .map((content, i) => ({ offset: replayFrom + i, content }));
                  await fixtureForRun.store.views.applyOrders(source(p), entries, NOW);
                  cursors[p] = Math.min(messages.length, from + size);
                }
                const actual = await snapshotViews(fixtureForRun.store.views);
                expect(actual).toEqual(expectedViews(log));
                // An independent tally, not the reference projection: spent and counts over distinct ids.
                const unique = new Map(log.map((o) => [o.orderId, o]));
                expect(actual.totals.totalOrders).toBe(unique.size);
                expect(actual.totals.totalSpentCents).toBe([...unique.values()].reduce((s, o) => s + o.totalCents, 0));
                expect(actual.customers.reduce((s, c) => s + c.totalOrders, 0)).toBe(unique.size);
                expect((await fixtureForRun.store.views.processingStats('query-processor'))?.processedCount).toBe(
                  log.length,
                );
              } finally {
                await fixtureForRun.cleanup();
              }
            },
          ),
          { numRuns: options.propertyRuns ?? 60 },
        );
      });
    });

    describe('view generations', () => {
      const first = [
        makeOrder({ orderId: 'g-a', customerId: 1, productId: 'PROD-001', totalCents: 1_000, timestamp: 10 }),
        makeOrder({ orderId: 'g-b', customerId: 2, productId: 'PROD-002', totalCents: 2_000, timestamp: 20 }),
      ];
      const later = makeOrder({ orderId: 'g-c', customerId: 1, productId: 'PROD-002', totalCents: 500, timestamp: 30 });

      it('moves the pointer only from the pointer it holds', async () => {
        const store = await open();
        const generations = store.viewGenerations;
        expect(await generations.pointer({ fresh: true })).toEqual({ reads: 0, writes: 0 });
        expect(await generations.movePointer({ reads: 0, writes: 1 }, { reads: 1, writes: 1 })).toBe(false);
        expect(await generations.movePointer({ reads: 0, writes: 0 }, { reads: 0, writes: 1 })).toBe(true);
        expect(await generations.movePointer({ reads: 0, writes: 0 }, { reads: 0, writes: 2 })).toBe(false);
        expect(await generations.pointer({ fresh: true })).toEqual({ reads: 0, writes: 1 });
      });

      it('keeps a new generation apart until the pointer names it, then answers from it alone', async () => {
        const store = await open();
        const generations = store.viewGenerations;
        await store.views.applyOrders(source(0), consumed(first), NOW);
        await generations.create(1);
        const rebuilt = generations.generation(1);
        expect(await snapshotViews(rebuilt)).toEqual(expectedViews([]));
        await rebuilt.applyOrders(source(0), consumed([...first, later]), NOW);
        expect(await generations.position(1, source(0))).toBe(3);
        expect(await generations.position(0, source(0))).toBe(2);
        expect(await generations.position(1, source(1))).toBe(0);
        expect(await snapshotViews(store.views)).toEqual(expectedViews(first));

        expect(await generations.movePointer({ reads: 0, writes: 0 }, { reads: 1, writes: 1 })).toBe(true);
        await generations.drop(0);
        expect(await generations.pointer({ fresh: true })).toEqual({ reads: 1, writes: 1 });
        expect(await snapshotViews(store.views)).toEqual(expectedViews([...first, later]));
        expect(await store.views.appliedSource('g-c')).toMatchObject({
          position: { topic: 'orders', partition: 0, offset: 2 },
        });
        expect((await store.views.processingStats('query-processor'))?.processedCount).toBe(3);
        // The live path applies to the generation now named, exactly once.
        expect(await store.views.applyOrders(source(0), consumed([...first, later]), NOW)).toEqual({
          applied: 0,
          skipped: 3,
        });
      });

      it('while switching, applies batches the new generation reached and refuses one past it', async () => {
        const store = await open();
        const generations = store.viewGenerations;
        await store.views.applyOrders(source(0), consumed(first), NOW);
        await generations.create(1);
        await generations.generation(1).applyOrders(source(0), consumed(first.slice(0, 1)), NOW);
        expect(await generations.movePointer({ reads: 0, writes: 0 }, { reads: 0, writes: 1 })).toBe(true);

        // Offset 2 is past what generation 1 applied (1): applying it would leave offset 1 out forever.
        const refused = await store.views.applyOrders(source(0), consumed([later], 2), NOW).catch((e: unknown) => e);
        expect(refused).toMatchObject({ dependency: 'store', retryable: true });
        expect(await generations.position(1, source(0))).toBe(1);

        // From its position on it applies (offset 0 skipped), to the new generation only.
        expect(await store.views.applyOrders(source(0), consumed([...first, later]), NOW)).toEqual({
          applied: 2,
          skipped: 1,
        });
        expect(await snapshotViews(generations.generation(1))).toEqual(expectedViews([...first, later]));
        // Reads stay on the old generation until the switch completes.
        expect(await snapshotViews(store.views)).toEqual(expectedViews(first));
        expect(await generations.movePointer({ reads: 0, writes: 1 }, { reads: 1, writes: 1 })).toBe(true);
        expect(await snapshotViews(store.views)).toEqual(expectedViews([...first, later]));
      });

      it('creates a generation empty again after it was dropped or left half written', async () => {
        const store = await open();
        const generations = store.viewGenerations;
        await generations.create(3);
        await generations.generation(3).applyOrders(source(1), consumed(first), NOW);
        await generations.create(3);
        expect(await snapshotViews(generations.generation(3))).toEqual(expectedViews([]));
        expect(await generations.position(3, source(1))).toBe(0);
        await generations.drop(3);
        await generations.drop(3);
        await expect(generations.generation(3).totals()).rejects.toThrow();
      });

      it('leases the rebuild to one owner at a time, renewed by its owner, free once expired or released', async () => {
        const store = await open();
        const generations = store.viewGenerations;
        expect(await generations.lease()).toBeUndefined();
        expect(await generations.acquireLease('a', NOW, 1_000)).toBe(true);
        expect(await generations.acquireLease('b', NOW + 500, 1_000)).toBe(false);
        expect(await generations.acquireLease('a', NOW + 900, 1_000)).toBe(true);
        expect(await generations.lease()).toEqual({ owner: 'a', until: NOW + 1_900 });
        expect(await generations.acquireLease('b', NOW + 1_800, 1_000)).toBe(false);
        expect(await generations.acquireLease('b', NOW + 2_000, 1_000)).toBe(true);
        await generations.releaseLease('a');
        expect(await generations.lease()).toEqual({ owner: 'b', until: NOW + 3_000 });
        await generations.releaseLease('b');
        expect(await generations.lease()).toBeUndefined();
        expect(await generations.acquireLease('c', NOW, 1_000)).toBe(true);
      });
    });

    describe('registry', () => {
      const registrySource = source(0, 'registry', 'registry-processor');
      const good = makeOrder({ orderId: 'good' });
      const suspicious = makeOrder({ orderId: 'review', totalCents: 5_000 });
      const broken = makeOrder({ orderId: 'bad', customerId: 0 });

      it('registers each validated order once with its status, failed rules and first history row', async () => {
        const store = await open();
        const messages = [validation(good), validation(suspicious), validation(broken), validation(good)];
        const outcome = await store.registry.applyRegistryMessages(registrySource, consumed(messages), NOW);
        expect(outcome.registered.map((r) => [r.order.orderId, r.status])).toEqual([
          ['good', 'accepted'],
          ['review', 'pending'],
          ['bad', 'denied'],
        ]);
        const review = await store.registry.registered('review');
        expect(review).toMatchObject({ status: 'pending', version: 1, validationPassed: false, order: suspicious });
        expect(review?.failedRules.map((r) => r.ruleName)).toEqual(['price-consistency']);
        expect(await store.registry.history('review')).toEqual([
          {
            orderId: 'review',
            version: 1,
            previousStatus: null,
            newStatus: 'pending',
            updatedAt: NOW,
            reason: validateOrder(suspicious).message,
            requestId: null,
            requestedBy: null,
          },
        ]);
        expect((await store.registry.history('good')).map((h) => [h.version, h.newStatus, h.reason])).toEqual([
          [1, 'accepted', 'Validation passed'],
        ]);
        expect(await store.registry.totals()).toEqual({
          registeredCount: 3,
          acceptedCount: 1,
          deniedCount: 1,
          pendingCount: 1,
          acceptedRevenueCents: good.totalCents,
          totalValidated: 3,
          totalApproved: 1,
          totalRejected: 2,
        });
        expect((await store.registry.byStatus('pending', 10)).map((r) => r.order.orderId)).toEqual(['review']);
        expect(await store.registry.registered('missing')).toBeUndefined();
      });

      it('applies a decision only to a pending order, once per request, with history', async () => {
        const store = await open();
        await store.registry.applyRegistryMessages(
          registrySource,
          consumed([validation(suspicious), validation(good)]),
          NOW,
        );
        const approve = change('review', 'accepted', 'req-1');
        const outcome = await store.registry.applyRegistryMessages(
          registrySource,
          consumed(
            [
              approve,
              change('review', 'denied', 'req-2'),
              approve,
              change('good', 'denied', 'req-3'),
              change('ghost', 'accepted', 'req-4'),
            ],
            2,
          ),
          NOW + 5,
        );
        expect(outcome.decisions.map((d) => [d.requestId, d.applied])).toEqual([
          ['req-1', true],
          ['req-2', false],
          ['req-3', false],
          ['req-4', false],
        ]);
        expect(await store.registry.decision('req-2')).toMatchObject({
          applied: false,
          reason: 'order is accepted, not pending',
        });
        expect(await store.registry.decision('req-4')).toMatchObject({ applied: false, reason: 'unknown order' });
        expect(await store.registry.decision('req-9')).toBeUndefined();
        expect(await store.registry.registered('review')).toMatchObject({
          status: 'accepted',
          version: 2,
          updatedAt: NOW + 5,
        });
        const history = await store.registry.history('review');
        expect(history.map((h) => [h.version, h.previousStatus, h.newStatus, h.requestId])).toEqual([
          [2, 'pending', 'accepted', 'req-1'],
          [1, null, 'pending', null],
        ]);
        const totals = await store.registry.totals();
        expect([totals.pendingCount, totals.acceptedCount, totals.acceptedRevenueCents]).toEqual([
          0,
          2,
          good.totalCents + suspicious.totalCents,
        ]);
      });

      it('expires decision records decided before the horizon, keeping the order, its history and newer ones', async () => {
        const store = await open();
        const registry = source(0, 'registry', 'registry-processor');
        const orders = ['d1', 'd2', 'd3'].map((orderId) => makeOrder({ orderId, totalCents: 5_000 }));
        await store.registry.applyRegistryMessages(registry, consumed(orders.map(validation)), NOW - 3 * DAY_MS);
        await store.registry.applyRegistryMessages(
          registry,
          consumed([change('d1', 'accepted', 'old-1'), change('d2', 'denied', 'old-2')], 3),
          NOW - 3 * DAY_MS,
        );
        await store.registry.applyRegistryMessages(registry, consumed([change('d3', 'accepted', 'new-3')], 5), NOW);
        expect(await store.registry.expireDecisions(NOW - 4 * DAY_MS, 10)).toBe(0);
        expect(await drain((limit) => store.registry.expireDecisions(NOW - DAY_MS, limit), 1)).toBe(2);
        expect(await store.registry.decision('old-1')).toBeUndefined();
        expect(await store.registry.decision('old-2')).toBeUndefined();
        expect(await store.registry.decision('new-3')).toMatchObject({ orderId: 'd3', applied: true });
        expect((await store.registry.registered('d1'))?.status).toBe('accepted');
        expect((await store.registry.history('d2')).map((u) => u.newStatus)).toEqual(['denied', 'pending']);
        expect(await store.registry.expireDecisions(NOW - DAY_MS, 10)).toBe(0);
      });

      it('lists pending orders oldest registration first, leaving decided ones out', async () => {
        const store = await open();
        const ids = ['p-b', 'p-a', 'p-c', 'p-d'];
        for (const [i, orderId] of ids.entries()) {
          await store.registry.applyRegistryMessages(
            registrySource,
            consumed([validation(makeOrder({ orderId, totalCents: 5_000 }))], i),
            NOW + i * 1_000,
          );
        }
        await store.registry.applyRegistryMessages(
          registrySource,
          consumed([change('p-c', 'denied', 'req-oldest')], ids.length),
          NOW + 10_000,
        );
        expect((await store.registry.oldestPending(10)).map((r) => r.order.orderId)).toEqual(['p-b', 'p-a', 'p-d']);
        expect((await store.registry.oldestPending(2)).map((r) => r.order.orderId)).toEqual(['p-b', 'p-a']);
        expect((await store.registry.oldestPending(1))[0]?.registeredAt).toBe(NOW);
      });

      it('counts per rule the orders it denied or sent to review, once per registration, across batches', async () => {
        const store = await open();
        expect(await store.registry.ruleHits()).toEqual({});
        const both = makeOrder({ orderId: 'both', customerId: 0, totalCents: 5_000 });
        const first = consumed([validation(good), validation(suspicious), validation(broken)]);
        await store.registry.applyRegistryMessages(registrySource, first, NOW);
        // Redelivered, then again with a copy of an order already registered and one new order.
        await store.registry.applyRegistryMessages(registrySource, first, NOW);
        const second = consumed([validation(suspicious), validation(both), change('review', 'accepted')], 3);
        await store.registry.applyRegistryMessages(registrySource, second, NOW + 1);
        await store.registry.applyRegistryMessages(registrySource, second, NOW + 1);
        // Another source partition adds to the same counts.
        const other = makeOrder({ orderId: 'other', totalCents: 5_000 });
        await store.registry.applyRegistryMessages(
          source(1, 'registry', 'registry-processor'),
          consumed([validation(other)]),
          NOW + 2,
        );
        // Failed by a deny rule too, `both` never reached review: its review rule counts as denied.
        expect(await store.registry.ruleHits()).toEqual({
          'price-consistency': { denied: 1, review: 2 },
          'valid-customer-id': { denied: 2, review: 0 },
        });
      });

      it('counts validations exactly once per offset', async () => {
        const store = await open();
        const validations = source(2, 'orders', 'registry-processor');
        const entries = consumed<true>([true, null, true]);
        await store.registry.recordValidations(validations, entries, NOW);
        expect(await store.registry.recordValidations(validations, entries, NOW)).toEqual({ applied: 0, skipped: 3 });
        expect(await store.registry.processingStats('registry-processor')).toMatchObject({
          processedCount: 2,
          errorCount: 1,
        });
      });
    });

    describe('registry change feed', () => {
      const feedSource = source(0, 'registry', 'registry-processor');
      it('expires the oldest changes made before the horizon, never the newest, and resumes old cursors at the oldest kept', async () => {
        const store = await open();
        const registry = source(0, 'registry', 'registry-processor');
        const orders = ['f1', 'f2', 'f3', 'f4'].map((orderId) => makeOrder({ orderId, totalCents: 5_000 }));
        // One change per call: a store may keep a batch's changes in one row.
        for (const [i, order] of orders.entries()) {
          const at = i < 3 ? NOW - 3 * DAY_MS + i : NOW;
          await store.registry.applyRegistryMessages(registry, consumed([validation(order)], i), at);
        }
        const before = await store.registry.changesSince(0, 10);
        expect(before.map((c) => c.orderId)).toEqual(['f1', 'f2', 'f3', 'f4']);
        expect(await store.registry.expireChanges(NOW - 4 * DAY_MS, 10)).toBe(0);
        expect(await drain((limit) => store.registry.expireChanges(NOW - DAY_MS, limit), 2)).toBe(3);
        const kept = await store.registry.changesSince(0, 10);
        expect(kept).toEqual(before.slice(3));
        expect(await store.registry.latestCursor()).toBe(before[3]?.cursor);
        // The newest change stays however old, so the cursor never goes back.
        expect(await store.registry.expireChanges(NOW + DAY_MS, 10)).toBe(0);
        await store.registry.applyRegistryMessages(registry, consumed([change('f1', 'accepted')], 4), NOW);
        const next = await store.registry.changesSince(before[3]?.cursor ?? 0, 10);
        expect(next.map((c) => [c.orderId, c.kind])).toEqual([['f1', 'status']]);
        expect(next[0]?.cursor).toBeGreaterThan(before[3]?.cursor ?? 0);
      });

      it('lists registrations and applied decisions in order after a cursor, with current statuses', async () => {
        const store = await open();
        expect(await store.registry.latestCursor()).toBe(0);
        const review = makeOrder({ orderId: 'r1', totalCents: 5_000 });
        const good = makeOrder({ orderId: 'g1' });
        await store.registry.applyRegistryMessages(feedSource, consumed([validation(review), validation(good)]), NOW);
        await store.registry.applyRegistryMessages(
          feedSource,
          consumed([change('r1', 'denied', 'q1'), change('g1', 'denied', 'q2')], 2),
          NOW + 1,
        );
        const all = await store.registry.changesSince(0, 10);
        expect(all.map((c) => [c.kind, c.orderId, c.previousStatus, c.status, c.version])).toEqual([
          ['registered', 'r1', null, 'pending', 1],
          ['registered', 'g1', null, 'accepted', 1],
          ['status', 'r1', 'pending', 'denied', 2],
        ]);
        expect(all[0]?.order).toEqual(review);
        const cursors = all.map((c) => c.cursor);
        expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
        expect(await store.registry.latestCursor()).toBe(cursors[2]);
        expect((await store.registry.changesSince(cursors[0] ?? 0, 1)).map((c) => c.orderId)).toEqual(['g1']);
        expect(await store.registry.changesSince(cursors[2] ?? 0, 10)).toEqual([]);
        const statuses = await store.registry.statuses(['r1', 'g1', 'nobody', 'it\'s "quoted"']);
        expect([...statuses.entries()].sort()).toEqual([
          ['g1', 'accepted'],
          ['r1', 'denied'],
        ]);
      });
    });

    describe('control', () => {
      it('reserves an idempotency key once and releases it only for its order', async () => {
        const store = await open();
        const first = await store.control.reserveIdempotencyKey('k', 'order-1', 'f1', NOW);
        expect(first).toEqual({ key: 'k', orderId: 'order-1', fingerprint: 'f1', createdAt: NOW, created: true });
        const again = await store.control.reserveIdempotencyKey('k', 'order-2', 'f2', NOW + 1);
        expect(again).toEqual({ ...first, created: false });
        await store.control.releaseIdempotencyKey('k', 'order-2');
        expect((await store.control.reserveIdempotencyKey('k', 'order-3', 'f3', NOW)).orderId).toBe('order-1');
        await store.control.releaseIdempotencyKey('k', 'order-1');
        expect((await store.control.reserveIdempotencyKey('k', 'order-3', 'f3', NOW)).created).toBe(true);
      });

      it('expires idempotency keys created before the horizon, in steps, keeping newer ones', async () => {
        const store = await open();
        const old = Array.from({ length: 5 }, (_, i) => `old-${i}`);
        for (const [i, key] of old.entries()) {
          await store.control.reserveIdempotencyKey(key, `order-${key}`, 'f', NOW - 3 * DAY_MS + i);
        }
        await store.control.reserveIdempotencyKey('new', 'order-new', 'f', NOW);
        expect(await store.control.expireIdempotencyKeys(NOW - 4 * DAY_MS, 10)).toBe(0);
        expect(await drain((limit) => store.control.expireIdempotencyKeys(NOW - DAY_MS, limit), 2)).toBe(5);
        // An expired key is free again; the newer one still holds its order.
        expect((await store.control.reserveIdempotencyKey('old-0', 'order-again', 'g', NOW)).created).toBe(true);
        const kept = await store.control.reserveIdempotencyKey('new', 'order-other', 'f', NOW);
        expect(kept).toMatchObject({ created: false, orderId: 'order-new' });
        expect(await store.control.expireIdempotencyKeys(NOW - DAY_MS, 10)).toBe(0);
      });

      it('keeps generator settings and instance heartbeats', async () => {
        const store = await open();
        expect(await store.control.generatorSettings()).toBeUndefined();
        await store.control.saveGeneratorSettings({ orderRate: 250, anomalyRate: 0.2, updatedAt: NOW });
        expect(await store.control.generatorSettings()).toEqual({ orderRate: 250, anomalyRate: 0.2, updatedAt: NOW });
        const report = {
          processor: 'query-processor',
          instanceId: 'a',
          startedAt: NOW - 10,
          heartbeatAt: NOW,
          processed: 5,
          errors: 1,
          throughputPerSecond: 2.5,
          lastProcessedAt: NOW - 1,
        };
        await store.control.heartbeat(report);
        await store.control.heartbeat({ ...report, instanceId: 'b', heartbeatAt: NOW - 100, lastProcessedAt: null });
        await store.control.heartbeat({ ...report, processed: 6 });
        expect(await store.control.liveInstances(NOW - 50)).toEqual([{ ...report, processed: 6 }]);
        expect(await store.control.liveInstances(0)).toHaveLength(2);
        await store.control.pruneInstances(NOW - 50);
        expect(await store.control.liveInstances(0)).toHaveLength(1);
      });
    });

    describe('dead letters', () => {
      const letter = (offset: number, overrides: Partial<CollectedDeadLetter> = {}): CollectedDeadLetter => ({
        id: deadLetterId({ topic: 'orders', partition: 1, offset }),
        topic: 'orders',
        partition: 1,
        offset,
        key: `k-${offset}`,
        value: encoder.encode(`{"broken": ${offset}`),
        headers: { trace: `t-${offset}` },
        group: 'query-processor',
        reason: 'not JSON',
        failedAt: NOW + offset,
        ...overrides,
      });

      it('keeps one dead letter per source position, adding each group that dead-lettered it', async () => {
        const store = await open();
        const bytes = Uint8Array.from([0xc3, 0x28, 0x00, 0xff]);
        await store.deadLetters.record([letter(1), letter(2, { value: bytes, key: null })], NOW);
        await store.deadLetters.record([letter(1, { group: 'registry-processor', reason: 'other words' })], NOW + 5);
        await store.deadLetters.record([letter(1), letter(1, { group: 'registry-processor' })], NOW + 9);
        const first = await store.deadLetters.deadLetter(letter(1).id);
        expect(first).toEqual({
          id: 'orders:1:1',
          topic: 'orders',
          partition: 1,
          offset: 1,
          key: 'k-1',
          value: encoder.encode('{"broken": 1'),
          headers: { trace: 't-1' },
          reason: 'not JSON',
          groups: ['query-processor', 'registry-processor'],
          failedAt: NOW + 1,
          status: 'pending',
          updatedAt: NOW,
        });
        const second = await store.deadLetters.deadLetter(letter(2).id);
        expect(second?.key).toBeNull();
        expect([...(second?.value ?? [])]).toEqual([...bytes]);
        expect(await store.deadLetters.deadLetter('orders:1:3')).toBeUndefined();
      });

      it('lists by status and reason, newest failure first, and counts reasons', async () => {
        const store = await open();
        const reasons = ["'quantity' must be an integer", 'it\'s "quoted"; DROP TABLE x; --', 'ünïcødé ✓'];
        await store.deadLetters.record(
          Array.from({ length: 9 }, (_, i) => letter(i, { reason: reasons[i % 3] ?? '' })),
          NOW,
        );
        const pending = await store.deadLetters.list('pending', undefined, 100);
        expect(pending.map((l) => l.offset)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect((await store.deadLetters.list('pending', undefined, 2)).map((l) => l.offset)).toEqual([8, 7]);
        const quoted = await store.deadLetters.list('pending', reasons[1], 100);
        expect(quoted.map((l) => l.offset)).toEqual([7, 4, 1]);
        expect(await store.deadLetters.list('pending', "' OR 1=1 --", 100)).toEqual([]);
        expect(await store.deadLetters.list('discarded', undefined, 100)).toEqual([]);
        expect(await store.deadLetters.transition(letter(4).id, 'pending', 'discarded', NOW + 50)).toBe(true);
        const counts = await store.deadLetters.reasons('pending');
        expect(counts[counts.length - 1]).toEqual({ reason: reasons[1], count: 2 });
        expect([...counts].sort((a, b) => a.reason.localeCompare(b.reason))).toEqual(
          [
            { reason: reasons[0], count: 3 },
            { reason: reasons[1], count: 2 },
            { reason: reasons[2], count: 3 },
          ].sort((a, b) => (a.reason ?? '').localeCompare(b.reason ?? '')),
        );
        expect(await store.deadLetters.reasons('discarded')).toEqual([{ reason: reasons[1], count: 1 }]);
        expect((await store.deadLetters.list('discarded', reasons[1], 10)).map((l) => l.offset)).toEqual([4]);
        expect((await store.deadLetters.list('pending', reasons[1], 10)).map((l) => l.offset)).toEqual([7, 1]);
      });

      it('counts every dead letter per source topic, reason and status, each once', async () => {
        const store = await open();
        expect(await store.deadLetters.counts()).toEqual([]);
        const quoted = 'it\'s "quoted"; DROP TABLE x; --';
        const onRegistry = (offset: number, reason: string): CollectedDeadLetter => ({
          ...letter(offset, { topic: 'registry', reason, group: 'registry-processor' }),
          id: deadLetterId({ topic: 'registry', partition: 1, offset }),
        });
        await store.deadLetters.record(
          [
            letter(1),
            letter(2),
            letter(3, { reason: quoted }),
            letter(4),
            onRegistry(1, 'not JSON'),
            onRegistry(2, quoted),
          ],
          NOW,
        );
        // Met again, by the other group too: still one dead letter each.
        await store.deadLetters.record(
          [letter(1, { group: 'registry-processor' }), onRegistry(1, 'not JSON')],
          NOW + 1,
        );
        expect(await store.deadLetters.transition(letter(2).id, 'pending', 'redriven', NOW + 2)).toBe(true);
        expect(await store.deadLetters.transition(letter(4).id, 'pending', 'discarded', NOW + 3)).toBe(true);
        expect(await store.deadLetters.transition(onRegistry(2, quoted).id, 'pending', 'discarded', NOW + 4)).toBe(
          true,
        );
        const key = (c: { topic: string; reason: string; status: string }) => `${c.topic}|${c.status}|${c.reason}`;
        const sorted = (counts: readonly { topic: string; reason: string; status: string; count: number }[]) =>
          [...counts].sort((a, b) => key(a).localeCompare(key(b)));
        expect(sorted(await store.deadLetters.counts())).toEqual(
          sorted([
            { topic: 'orders', reason: 'not JSON', status: 'pending', count: 1 },
            { topic: 'orders', reason: 'not JSON', status: 'redriven', count: 1 },
            { topic: 'orders', reason: 'not JSON', status: 'discarded', count: 1 },
            { topic: 'orders', reason: quoted, status: 'pending', count: 1 },
            { topic: 'registry', reason: 'not JSON', status: 'pending', count: 1 },
            { topic: 'registry', reason: quoted, status: 'discarded', count: 1 },
          ]),
        );
      });

      it('changes status only from the expected one, and keeps the audit trail in order', async () => {
        const store = await open();
        const id = letter(5).id;
        await store.deadLetters.record([letter(5)], NOW);
        expect(await store.deadLetters.transition(id, 'redriven', 'pending', NOW + 1)).toBe(false);
        expect(await store.deadLetters.transition('orders:9:9', 'pending', 'redriven', NOW + 1)).toBe(false);
        expect(await store.deadLetters.transition(id, 'pending', 'redriven', NOW + 2)).toBe(true);
        expect(await store.deadLetters.transition(id, 'pending', 'discarded', NOW + 3)).toBe(false);
        expect(await store.deadLetters.deadLetter(id)).toMatchObject({ status: 'redriven', updatedAt: NOW + 2 });
        // Recording it again (a replayed dead-letter topic) does not reopen it.
        await store.deadLetters.record([letter(5)], NOW + 4);
        expect((await store.deadLetters.deadLetter(id))?.status).toBe('redriven');
        const failed = {
          deadLetterId: id,
          action: 'redrive-failed' as const,
          at: NOW + 2,
          actor: "o'brien",
          note: 'bus unavailable',
          editedPayload: '{"ünïcødé": "✓"}',
          redrivenTo: null,
        };
        const redrive = {
          ...failed,
          action: 'redrive' as const,
          at: NOW + 3,
          note: null,
          redrivenTo: { topic: 'orders', partition: 2, offset: 77 },
        };
        await store.deadLetters.audit(failed);
        await store.deadLetters.audit(redrive);
        await store.deadLetters.audit({ ...redrive, deadLetterId: 'other', action: 'discard', redrivenTo: null });
        expect(await store.deadLetters.actions(id)).toEqual([failed, redrive]);
        expect(await store.deadLetters.actions("'; DROP TABLE x; --")).toEqual([]);
      });
    });

    describe('dead letter retention', () => {
      const letter = (offset: number, reason = 'not JSON'): CollectedDeadLetter => ({
        id: deadLetterId({ topic: 'orders', partition: 2, offset }),
        topic: 'orders',
        partition: 2,
        offset,
        key: `k-${offset}`,
        value: encoder.encode('{'),
        headers: {},
        group: 'query-processor',
        reason,
        failedAt: NOW - 5 * DAY_MS + offset,
      });

      it('deletes resolved dead letters with their audit trail, never a pending one, and keeps them counted', async () => {
        const store = await open();
        const old = NOW - 5 * DAY_MS;
        await store.deadLetters.record(
          [1, 2, 3, 4, 5].map((o) => letter(o)),
          old,
        );
        await store.deadLetters.record([letter(6, 'other')], old);
        expect(await store.deadLetters.transition(letter(1).id, 'pending', 'redriven', old + 10)).toBe(true);
        expect(await store.deadLetters.transition(letter(2).id, 'pending', 'discarded', old + 20)).toBe(true);
        expect(await store.deadLetters.transition(letter(6).id, 'pending', 'discarded', old + 30)).toBe(true);
        // Resolved recently: kept whatever its failure time.
        expect(await store.deadLetters.transition(letter(3).id, 'pending', 'discarded', NOW)).toBe(true);
        const action = {
          deadLetterId: letter(1).id,
          action: 'redrive' as const,
          at: old + 10,
          actor: 'ops',
          note: null,
          editedPayload: null,
          redrivenTo: { topic: 'orders', partition: 0, offset: 9 },
        };
        await store.deadLetters.audit(action);
        const countsBefore = await store.deadLetters.counts();

        expect(await store.deadLetters.expireResolved(old, 10)).toBe(0);
        expect(await drain((limit) => store.deadLetters.expireResolved(NOW - DAY_MS, limit), 2)).toBe(3);
        for (const offset of [1, 2, 6]) expect(await store.deadLetters.deadLetter(letter(offset).id)).toBeUndefined();
        expect(await store.deadLetters.actions(letter(1).id)).toEqual([]);
        expect((await store.deadLetters.deadLetter(letter(3).id))?.status).toBe('discarded');
        for (const offset of [4, 5]) {
          expect((await store.deadLetters.deadLetter(letter(offset).id))?.status).toBe('pending');
        }
        expect(await store.deadLetters.list('discarded', undefined, 10)).toHaveLength(1);
        expect(await store.deadLetters.reasons('discarded')).toEqual([{ reason: 'not JSON', count: 1 }]);
        // Pending dead letters are never deleted, however old.
        expect(await store.deadLetters.expireResolved(NOW + DAY_MS, 10)).toBe(1);
        expect(await store.deadLetters.list('pending', undefined, 10)).toHaveLength(2);
        const key = (c: { topic: string; reason: string; status: string }) => `${c.topic}|${c.status}|${c.reason}`;
        const sorted = (counts: readonly { topic: string; reason: string; status: string; count: number }[]) =>
          [...counts].sort((a, b) => key(a).localeCompare(key(b)));
        expect(sorted(await store.deadLetters.counts())).toEqual(sorted(countsBefore));
      });
    });

    describe('journey sources', () => {
      it('keeps the position that counted an order into the views, not a later copy', async () => {
        const store = await open();
        const order = makeOrder({ orderId: 'traced', timestamp: 10 });
        await store.views.applyOrders(source(2), consumed([makeOrder({ orderId: 'before' }), order], 40), NOW);
        await store.views.applyOrders(source(0), consumed([order], 7), NOW + 5);
        expect(await store.views.appliedSource('traced')).toEqual({
          position: { topic: 'orders', partition: 2, offset: 41 },
          at: NOW,
        });
        expect(await store.views.appliedSource('never')).toBeUndefined();
      });

      it('keeps the positions of a registration and of each applied decision', async () => {
        const store = await open();
        const suspicious = makeOrder({ orderId: 'review', totalCents: 5_000 });
        const registry = source(1, 'registry', 'registry-processor');
        await store.registry.applyRegistryMessages(registry, consumed([validation(suspicious)], 20), NOW);
        expect(await store.registry.sources('review')).toEqual({
          registration: { position: { topic: 'registry', partition: 1, offset: 20 }, at: NOW },
          decisions: new Map(),
        });
        await store.registry.applyRegistryMessages(
          registry,
          consumed([change('review', 'accepted', 'req-a'), change('review', 'denied', 'req-b')], 21),
          NOW + 9,
        );
        const sources = await store.registry.sources('review');
        // req-b came too late (the order was no longer pending): refused, so not part of the history.
        expect([...sources.decisions]).toEqual([
          ['req-a', { position: { topic: 'registry', partition: 1, offset: 21 }, at: NOW + 9 }],
        ]);
        expect(await store.registry.sources('never')).toEqual({ registration: null, decisions: new Map() });
      });

      it('finds the dead letters of one key, oldest first', async () => {
        const store = await open();
        const letter = (offset: number, key: string | null): CollectedDeadLetter => ({
          id: deadLetterId({ topic: 'orders', partition: 0, offset }),
          topic: 'orders',
          partition: 0,
          offset,
          key,
          value: encoder.encode('{'),
          headers: {},
          group: 'query-processor',
          reason: 'not JSON',
          failedAt: NOW - offset,
        });
        await store.deadLetters.record([letter(1, 'order-x'), letter(2, 'order-y'), letter(3, 'order-x')], NOW);
        expect((await store.deadLetters.byKey('order-x', 10)).map((l) => l.offset)).toEqual([3, 1]);
        expect((await store.deadLetters.byKey('order-x', 1)).map((l) => l.offset)).toEqual([3]);
        expect(await store.deadLetters.byKey('order-z', 10)).toEqual([]);
      });
    });

    describe('produced orders', () => {
      it('keeps one row per order id, newest first', async () => {
        const store = await open();
        const older = makeOrder({ orderId: 'older', timestamp: 1 });
        const newer = makeOrder({ orderId: 'newer', timestamp: 2 });
        await store.produced.saveProduced([older, newer]);
        await store.produced.saveProduced([older]);
        expect((await store.produced.recentProduced(10)).map((o) => o.orderId)).toEqual(['newer', 'older']);
        expect(await store.produced.produced('older')).toEqual(older);
        expect(await store.produced.produced('none')).toBeUndefined();
      });

      it('expires orders older than the horizon, oldest first and in steps, keeping newer ones', async () => {
        const store = await open();
        const old = Array.from({ length: 5 }, (_, i) =>
          makeOrder({ orderId: `old-${i}`, timestamp: NOW - 3 * DAY_MS + i }),
        );
        const kept = makeOrder({ orderId: 'kept', timestamp: NOW });
        await store.produced.saveProduced([...old, kept]);
        expect(await store.produced.expireProduced(NOW - 4 * DAY_MS, 10)).toBe(0);
        expect(await drain((limit) => store.produced.expireProduced(NOW - DAY_MS, limit), 2)).toBe(5);
        expect(await store.produced.produced('old-0')).toBeUndefined();
        expect(await store.produced.produced('kept')).toEqual(kept);
        expect((await store.produced.recentProduced(10)).map((o) => o.orderId)).toEqual(['kept']);
        expect(await store.produced.expireProduced(NOW - DAY_MS, 10)).toBe(0);
      });
    });

    it('answers ping and migrates idempotently', async () => {
      const store = await open();
      await store.migrate();
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('describes its kind, and its size in bytes or why it has none', async () => {
      const store = await open();
      await store.views.applyOrders(source(), consumed([makeOrder({ orderId: 'sized' })]), NOW);
      const described = await store.describe();
      expect(['sqlite', 'cassandra']).toContain(described.kind);
      if (options.kind !== undefined) expect(described.kind).toBe(options.kind);
      expect(described.sizeNote.length).toBeGreaterThan(0);
      if (described.sizeBytes !== null) {
        expect(Number.isSafeInteger(described.sizeBytes)).toBe(true);
        expect(described.sizeBytes).toBeGreaterThanOrEqual(0);
      }
    });
  });
}
