import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOrder, type Order } from '@kafka-monitor/domain';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { waitFor } from '@kafka-monitor/testkit';
import { call, pendingOrder, startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const SLA_MINUTES = 30;

describe('review queue in a real browser: oldest first, overdue highlighted, bulk decisions per order', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let old: Order[];
  let fresh: Order;

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD, reviewSlaMinutes: SLA_MINUTES });
    // Two orders registered 45 and 40 minutes ago (past the SLA), as a registration the store applied then.
    old = [pendingOrder(), pendingOrder()];
    const source = { consumer: 'review-seed', topic: 'registry', partition: 0 };
    for (const [offset, order] of old.entries()) {
      await h.store.registry.applyRegistryMessages(
        source,
        [{ offset, content: { kind: 'validation', order, result: validateOrder(order), timestamp: Date.now() } }],
        Date.now() - (45 - offset * 5) * 60_000,
      );
    }
    fresh = pendingOrder();
    await h.seed([fresh]);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });

  it('lists pending orders oldest first with age and failed rules, overdue ones highlighted and counted', async () => {
    await page.goto(`${h.base}/#/review`);
    const rows = page.getByTestId('review-table').locator('tbody tr');
    await waitFor(
      'three pending rows',
      () => rows.count(),
      (n) => n === 3,
    );
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-order-id')));
    expect(ids).toEqual([old[0]?.orderId, old[1]?.orderId, fresh.orderId]);
    const overdue = await rows.evaluateAll((trs) => trs.map((tr) => tr.classList.contains('overdue')));
    expect(overdue).toEqual([true, true, false]);
    expect(await rows.first().textContent()).toContain('price-consistency');
    expect(await rows.first().textContent()).toMatch(/45m/);
    expect(await page.getByTestId('review-counts').textContent()).toMatch(/3 pending, 2 overdue \(SLA 30 min/);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}review-1440.png`, fullPage: true });
  });

  it('denies the selected orders and shows a result per order, a 409 per order when one was decided meanwhile', async () => {
    const [first, second] = old as [Order, Order];
    await page.getByLabel(`Select ${first.orderId}`).check();
    await page.getByLabel(`Select ${second.orderId}`).check();
    // Someone else decides the second order first.
    const other = await call(h.base, `/api/orders/${second.orderId}/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'accepted' }),
    });
    expect(other.status).toBe(200);
    await page.getByTestId('review-deny').click();
    const results = page.getByTestId('review-results').locator('li');
    await waitFor(
      'two results',
      () => results.count(),
      (n) => n === 2,
    );
    const outcomes = await results.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-outcome')));
    expect(outcomes).toEqual(['decided', 'conflict']);
    expect(await results.nth(1).textContent()).toContain('order is accepted, not pending');
    expect((await h.store.registry.registered(first.orderId))?.status).toBe('denied');
    const rows = page.getByTestId('review-table').locator('tbody tr');
    await waitFor(
      'only the fresh order left',
      () => rows.count(),
      (n) => n === 1,
    );
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${screenshots}review-390.png`, fullPage: true });
  });
});
