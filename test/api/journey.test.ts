import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS } from '@kafka-monitor/domain';
import { waitFor } from '@kafka-monitor/testkit';
import { call, json, startHarness, type Harness } from './harness.js';

/** A suspicious order (total ≠ quantity × price): it is registered pending, so it can be decided. */
const suspicious = { 'customer-id': 7, 'product-id': 'PROD-002', quantity: 2, 'unit-price': 10, total: 25 };

interface Step {
  kind: string;
  at: number | null;
  position: { topic: string; partition: number; offset: number } | null;
  [field: string]: unknown;
}

describe('GET /api/orders/{id}/journey on a fresh instance', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const journeyOf = async (id: string) =>
    (await call(h.base, `/api/orders/${id}/journey`)).body.data as {
      steps: Step[];
      state: { stage: string; summary: string; 'waiting-on': { processor: string; topic: string }[] };
    };
  const kinds = (steps: readonly Step[]) => steps.map((s) => s.kind);

  it('lists produced, applied, validated, registered with offsets after a POST, then the decision', async () => {
    const posted = await call(h.base, '/api/orders', json('POST', suspicious));
    expect(posted.status).toBe(201);
    const id = posted.body.data['order-id'] as string;
    const requestId = posted.headers.get('request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const journey = await waitFor(
      'the order registered in its journey',
      () => journeyOf(id),
      (j) => kinds(j.steps).includes('registered') && kinds(j.steps).includes('applied'),
    );
    // The views and the registry consume `orders` side by side: applied may come anywhere after produced.
    expect(kinds(journey.steps).filter((k) => k !== 'applied')).toEqual([
      'produced',
      'validated',
      'published',
      'registered',
    ]);
    expect(kinds(journey.steps)[0]).toBe('produced');
    const step = (kind: string) => journey.steps.find((s) => s.kind === kind);
    const [produced, applied, validated, published, registered] = [
      'produced',
      'applied',
      'validated',
      'published',
      'registered',
    ].map(step);
    expect(produced).toMatchObject({ via: 'api', 'request-id': requestId, 'since-previous-ms': null });
    expect(produced?.position?.topic).toBe(TOPICS.orders);
    expect(Number.isInteger(produced?.position?.offset)).toBe(true);
    // Both processors read the same message of `orders`.
    expect(applied?.position).toEqual(produced?.position);
    expect(validated?.position).toEqual(produced?.position);
    expect(applied).toMatchObject({ views: ['customers', 'products', 'timeline', 'totals'] });
    expect(validated).toMatchObject({ passed: false, 'rules-from': 'log' });
    expect((validated?.rules as { 'rule-name': string; passed: boolean }[]).filter((r) => !r.passed)).toEqual([
      expect.objectContaining({ 'rule-name': 'price-consistency', passed: false }),
    ]);
    expect(published?.position?.topic).toBe(TOPICS.registry);
    expect(registered).toMatchObject({ position: published?.position, version: 1, status: 'pending' });
    for (const step of journey.steps) {
      expect(step.at).toEqual(expect.any(Number));
      if (step !== produced) expect(step['since-previous-ms']).toEqual(expect.any(Number));
    }
    expect(journey.state).toMatchObject({ stage: 'awaiting-decision', 'waiting-on': [] });

    const decided = await call(h.base, `/api/orders/${id}/status`, json('PUT', { status: 'accepted', reason: 'ok' }));
    expect(decided.status).toBe(200);
    const after = await journeyOf(id);
    expect(kinds(after.steps).at(-1)).toBe('decided');
    const decision = after.steps.at(-1);
    expect(decision).toMatchObject({
      'previous-status': 'pending',
      status: 'accepted',
      by: 'api',
      reason: 'ok',
      version: 2,
      'request-id': expect.any(String),
    });
    expect(decision?.position?.topic).toBe(TOPICS.registry);
    expect(decision?.position?.offset).toBeGreaterThan(registered?.position?.offset ?? Infinity);
    expect(after.state).toMatchObject({ stage: 'accepted', summary: 'accepted (version 2)' });
  });

  it('answers 404 for an order id nobody knows, 400 for one too long', async () => {
    const unknown = await call(h.base, '/api/orders/00000000-0000-4000-8000-00000000dead/journey');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, error: expect.stringContaining('not known') });
    const long = await call(h.base, `/api/orders/${'x'.repeat(257)}/journey`);
    expect(long.status).toBe(400);
  });

  it('shows an order the registry processor has not read yet, and the lag it waits behind', async () => {
    await h.registryProcessor.stop();
    const posted = await call(h.base, '/api/orders', json('POST', suspicious));
    const id = posted.body.data['order-id'] as string;
    const journey = await waitFor(
      'the views applied it',
      () => journeyOf(id),
      (j) => kinds(j.steps).includes('applied'),
    );
    expect(kinds(journey.steps)).toEqual(['produced', 'applied']);
    expect(journey.state.stage).toBe('waiting');
    expect(journey.state['waiting-on']).toEqual([
      expect.objectContaining({ processor: GROUPS.registryProcessor, topic: TOPICS.orders }),
    ]);
    expect(journey.state.summary).toMatch(/^waiting for registry-processor: \d[\d,]* messages? of lag on orders\/\d/);
  });
});
