import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOrder, type Order } from '@kafka-monitor/domain';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { waitFor } from '@kafka-monitor/testkit';
import { call, startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

describe('dead letters in a real browser: grouped, inspected, edited and redriven, discarded, audited', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const fixed: Order = {
    orderId: randomUUID(),
    customerId: 77,
    productId: 'PROD-007',
    quantity: 4,
    unitPriceCents: 2_500,
    totalCents: 10_000,
    timestamp: 1_700_001_000_000,
    status: 'pending',
  };
  const broken = encodeOrder(fixed).replace(/"quantity":\s*\d+/, '"quantity": "four"');
  let brokenId: string;
  let junkId: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD });
    brokenId = await h.poison(broken, fixed.orderId);
    junkId = await h.poison('<order>not json</order>', 'junk');
    await h.poison('<order>also not json</order>', 'junk-2');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });

  it('groups pending dead letters by reason and filters the list by one', async () => {
    await page.goto(`${h.base}/#/dead-letters`);
    const reasons = page.getByTestId('dead-letter-reasons');
    await reasons.getByRole('button', { name: /All reasons/ }).waitFor();
    expect(await reasons.getByRole('button', { name: /All reasons/ }).textContent()).toContain('3');
    const notJson = reasons.getByRole('button', { name: /not JSON/ });
    expect(await notJson.count()).toBe(2);
    const quantity = reasons.getByRole('button', { name: /quantity/ });
    expect(await quantity.locator('.count').textContent()).toBe('1');
    await quantity.click();
    const rows = page.getByTestId('dead-letters-table').locator('tbody tr');
    await waitFor(
      'list filtered to one reason',
      () => rows.count(),
      (n) => n === 1,
    );
    expect(await rows.first().getAttribute('data-dead-letter-id')).toBe(brokenId);
  });

  it('inspects, edits and redrives a dead letter; the order is then processed and the action audited', async () => {
    await page.getByRole('button', { name: brokenId }).click();
    const detail = page.getByTestId('dead-letter-detail');
    await detail.getByTestId('dead-letter-payload').waitFor();
    expect(await detail.getByTestId('dead-letter-payload').inputValue()).toBe(broken);
    expect(await detail.getByTestId('dead-letter-reason').textContent()).toContain('quantity');
    await detail.getByTestId('dead-letter-payload').fill(encodeOrder(fixed));
    await detail.getByLabel('Who').fill('browser-operator');
    await detail.getByLabel('Note').fill('quantity fixed');
    await detail.getByTestId('redrive').filter({ hasText: 'Redrive edited payload' }).click();
    await detail.getByTestId('dead-letter-status').filter({ hasText: 'redriven' }).waitFor();
    const trail = detail.getByTestId('audit-trail');
    expect(await trail.textContent()).toMatch(/redrive by browser-operator.*edited payload.*quantity fixed/);
    const registered = await waitFor(
      'redriven order registered',
      () => h.store.registry.registered(fixed.orderId),
      (r) => r !== undefined,
    );
    expect(registered?.order).toEqual(fixed);
    // The page answers like the API: the order is found, and the dead letter is no longer pending.
    expect((await call(h.base, `/api/orders/search/${fixed.orderId}`)).status).toBe(200);
    expect(await detail.getByTestId('redrive').count()).toBe(0);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}dead-letters-1440.png`, fullPage: true });
  });

  it('discards another with an audited action and lists it under discarded', async () => {
    await page.goto(`${h.base}/#/dead-letters?id=${encodeURIComponent(junkId)}`);
    const detail = page.getByTestId('dead-letter-detail');
    await detail.getByTestId('discard').waitFor();
    expect(await detail.getByTestId('dead-letter-payload').inputValue()).toBe('<order>not json</order>');
    await detail.getByLabel('Who').fill("o'brien");
    await detail.getByTestId('discard').click();
    await detail.getByTestId('dead-letter-status').filter({ hasText: 'discarded' }).waitFor();
    expect(await detail.getByTestId('audit-trail').textContent()).toContain("discard by o'brien");
    expect((await h.store.deadLetters.actions(junkId)).map((a) => [a.action, a.actor])).toEqual([
      ['discard', "o'brien"],
    ]);
    await page.getByTestId('dead-letter-status-filter').selectOption('discarded');
    await page.locator(`[data-dead-letter-id="${junkId}"]`).waitFor();
    await page.getByTestId('dead-letter-status-filter').selectOption('pending');
    await waitFor(
      'one pending dead letter left',
      () => page.getByTestId('dead-letters-table').locator('tbody tr').count(),
      (n) => n === 1,
    );
  });

  it('shows the refusal when another operator resolved the dead letter first', async () => {
    const lastId = (await h.store.deadLetters.list('pending', undefined, 10))[0]?.id ?? '';
    await page.goto(`${h.base}/#/dead-letters?id=${encodeURIComponent(lastId)}`);
    const detail = page.getByTestId('dead-letter-detail');
    await detail.getByTestId('discard').waitFor();
    await h.store.deadLetters.transition(lastId, 'pending', 'discarded', Date.now());
    await detail.getByTestId('redrive').click();
    await detail.getByTestId('action-error').filter({ hasText: 'not pending' }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${screenshots}dead-letters-390.png`, fullPage: true });
  });
});
