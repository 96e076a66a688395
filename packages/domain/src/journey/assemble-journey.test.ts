import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import type { PartitionLag } from '../ports/event-bus.js';
import type { DeadLetter } from '../ports/stores.js';
import { decideStatus, registerOrder } from '../registry/registered-order.js';
import { validateOrder } from '../validation/validate-order.js';
import { assembleJourney } from './assemble-journey.js';
import type { GroupProgress, JourneyFacts } from './journey.js';

const T = 1_700_000_000_000;

const order: Order = {
  orderId: 'order-1',
  customerId: 7,
  productId: 'PROD-001',
  quantity: 2,
  unitPriceCents: 1_050,
  totalCents: 5_000, // price-consistency fails: the order is registered pending
  timestamp: T,
  status: 'pending',
};

const ordersAt = { topic: 'orders', partition: 1, offset: 14 };
const registryAt = { topic: 'registry', partition: 2, offset: 30 };
const decisionAt = { topic: 'registry', partition: 2, offset: 31 };

const nothing: JourneyFacts = {
  orderId: 'order-1',
  producedRecorded: false,
  order: null,
  ordersMessage: null,
  applied: null,
  validation: null,
  registered: null,
  registration: null,
  history: [],
  decisions: new Map(),
  deadLetters: [],
  progress: [],
  searches: [],
};

function lag(topic: string, partition: number, committedOffset: number, endOffset: number): PartitionLag {
  return {
    topic,
    partition,
    committedOffset,
    endOffset,
    lag: endOffset - committedOffset,
    oldestUnreadTimestamp: null,
  };
}

const progress = (processor: string, l: PartitionLag, speed: number | null): GroupProgress => ({
  processor,
  lag: l,
  throughputPerSecond: speed,
});

function processedFacts(): JourneyFacts {
  const result = validateOrder(order);
  const { registered, update } = registerOrder(order, result, T + 40);
  const decision = decideStatus(
    registered,
    {
      orderId: order.orderId,
      newStatus: 'accepted',
      reason: 'checked by phone',
      requestedAt: T + 900,
      requestId: 'req-7',
      requestedBy: 'ana',
    },
    T + 1_000,
  );
  if (!decision.applied) throw new Error('the decision must apply');
  return {
    ...nothing,
    producedRecorded: true,
    order,
    ordersMessage: { position: ordersAt, appendedAt: T + 2, headers: { 'request-id': 'post-1' } },
    applied: { position: ordersAt, at: T + 20 },
    validation: {
      message: { position: registryAt, appendedAt: T + 31, headers: {} },
      validatedAt: T + 30,
      passed: result.passed,
      rules: result.rules,
    },
    registered: decision.registered,
    registration: { position: registryAt, at: T + 40 },
    history: [decision.update, update],
    decisions: new Map([['req-7', { position: decisionAt, at: T + 1_000 }]]),
  };
}

describe('assembleJourney', () => {
  it('lists every step of a processed order in order, with positions and the time since the previous', () => {
    const journey = assembleJourney(processedFacts());
    expect(journey.steps.map((s) => [s.kind, s.at === null ? null : s.at - T, s.sincePreviousMs])).toEqual([
      ['produced', 2, null],
      ['applied', 20, 18],
      ['validated', 30, 10],
      ['published', 31, 1],
      ['registered', 40, 9],
      ['decided', 1_000, 960],
    ]);
    expect(journey.steps[0]).toMatchObject({ via: 'api', requestId: 'post-1', position: ordersAt });
    expect(journey.steps[1]).toMatchObject({ views: ['customers', 'products', 'timeline', 'totals'] });
    const validated = journey.steps[2];
    expect(validated?.kind === 'validated' && validated.rules.length).toBe(8);
    expect(validated).toMatchObject({ passed: false, rulesFrom: 'log', position: ordersAt });
    expect(validated?.kind === 'validated' && validated.rules.find((r) => !r.passed)?.ruleName).toBe(
      'price-consistency',
    );
    expect(journey.steps[4]).toMatchObject({ position: registryAt, version: 1, status: 'pending' });
    expect(journey.steps[5]).toMatchObject({
      position: decisionAt,
      version: 2,
      previousStatus: 'pending',
      status: 'accepted',
      by: 'ana',
      reason: 'checked by phone',
      requestId: 'req-7',
    });
    expect(journey.state).toEqual({ stage: 'accepted', summary: 'accepted (version 2)', waitingOn: [] });
  });

  it('says what an order only in the log waits for, and how long that takes at the current pace', () => {
    const journey = assembleJourney({
      ...nothing,
      producedRecorded: true,
      order,
      ordersMessage: { position: ordersAt, appendedAt: T, headers: {} },
      progress: [
        progress('query-processor', lag('orders', 1, 10, 20), 2),
        // Past the order on `orders`: validated and published, not yet registered.
        progress('registry-processor', lag('orders', 1, 15, 20), 400),
        progress('registry-processor', lag('registry', 2, 100, 1_304), 400),
      ],
    });
    expect(journey.steps.map((s) => s.kind)).toEqual(['produced']);
    expect(journey.steps[0]).toMatchObject({ via: 'generator', requestId: null, at: T });
    expect(journey.state.stage).toBe('waiting');
    expect(journey.state.waitingOn).toEqual([
      { processor: 'query-processor', topic: 'orders', partition: 1, messages: 5, etaSeconds: 2.5 },
      { processor: 'registry-processor', topic: 'registry', partition: 2, messages: 1_204, etaSeconds: 3.01 },
    ]);
    expect(journey.state.summary).toBe(
      'waiting for query-processor: 5 messages of lag on orders/1, about 3 s; ' +
        'waiting for registry-processor: 1,204 messages of lag on registry/2, about 3 s',
    );
  });

  it('awaits a decision once a pending order is registered and applied', () => {
    const facts = processedFacts();
    const registered = registerOrder(order, validateOrder(order), T + 40);
    const journey = assembleJourney({
      ...facts,
      registered: registered.registered,
      history: [registered.update],
      decisions: new Map(),
    });
    expect(journey.steps.at(-1)?.kind).toBe('registered');
    expect(journey.state).toMatchObject({ stage: 'awaiting-decision', waitingOn: [] });
  });

  it('places steps of rows without a time after those before them in the pipeline', () => {
    const facts = processedFacts();
    const journey = assembleJourney({
      ...facts,
      applied: { position: null, at: null },
      validation: null,
      registration: { position: null, at: null },
    });
    expect(journey.steps.map((s) => [s.kind, s.sincePreviousMs])).toEqual([
      ['produced', null],
      ['applied', null],
      ['validated', null],
      ['published', null],
      ['registered', 38],
      ['decided', 960],
    ]);
    // Without the published message, the rules come from the registration: the failed ones only.
    expect(journey.steps[2]).toMatchObject({
      rulesFrom: 'registration',
      rules: [{ ruleName: 'price-consistency', passed: false }],
    });
  });

  it('shows a dead letter and what operators did with it', () => {
    const letter: DeadLetter = {
      id: 'orders:1:14',
      topic: 'orders',
      partition: 1,
      offset: 14,
      key: 'order-1',
      value: new Uint8Array(),
      headers: {},
      reason: 'not JSON',
      failedAt: T + 5,
      groups: ['query-processor', 'registry-processor'],
      status: 'pending',
      updatedAt: T + 5,
    };
    const pending = assembleJourney({ ...nothing, deadLetters: [{ letter, actions: [] }] });
    expect(pending.steps).toMatchObject([
      { kind: 'dead-lettered', position: ordersAt, reason: 'not JSON', deadLetterId: 'orders:1:14' },
    ]);
    expect(pending.state.stage).toBe('dead-lettered');
    expect(pending.state.summary).toContain('query-processor, registry-processor (not JSON)');

    const redriven = assembleJourney({
      ...nothing,
      deadLetters: [
        {
          letter: { ...letter, status: 'redriven' },
          actions: [
            {
              deadLetterId: letter.id,
              action: 'redrive',
              at: T + 60,
              actor: 'ops',
              note: 'fixed',
              editedPayload: '{}',
              redrivenTo: { topic: 'orders', partition: 1, offset: 99 },
            },
          ],
        },
      ],
    });
    expect(redriven.steps.map((s) => [s.kind, s.sincePreviousMs])).toEqual([
      ['dead-lettered', null],
      ['redriven', 55],
    ]);
    expect(redriven.steps[1]).toMatchObject({ actor: 'ops', position: { offset: 99 } });
    expect(redriven.state.stage).toBe('dead-lettered');
  });

  it('does not wait on a processor already past the order, nor on one that reports no lag', () => {
    const journey = assembleJourney({
      ...nothing,
      producedRecorded: true,
      order,
      ordersMessage: { position: ordersAt, appendedAt: T, headers: {} },
      progress: [
        progress('query-processor', lag('orders', 1, 15, 15), null),
        progress('registry-processor', lag('orders', 1, 10, 15), null),
      ],
    });
    expect(journey.state.waitingOn).toEqual([
      { processor: 'registry-processor', topic: 'orders', partition: 1, messages: 5, etaSeconds: null },
    ]);
    expect(journey.state.summary).toBe(
      'waiting for registry-processor: 5 messages of lag on orders/1, no throughput reported',
    );
  });
});
