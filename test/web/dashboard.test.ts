import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { produceOrders } from '@kafka-monitor/pipeline';
import { waitFor } from '@kafka-monitor/testkit';
import { orders, pendingOrder, startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

describe('dashboard in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD, heartbeatMs: 1_000 });
    await h.seed([...orders(40, 21, 0.2)]);
    await h.store.control.heartbeat({
      processor: 'order-processor',
      instanceId: 'browser-test',
      startedAt: Date.now() - 90_000,
      heartbeatAt: Date.now(),
      processed: 40,
      errors: 0,
      throughputPerSecond: 0.5,
      lastProcessedAt: Date.now(),
    });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterEach(async () => {
    await page.close();
  });

  const open = async (view: string) => {
    await page.goto(`${h.base}/#/${view}`);
  };
  const cardValue = async (id: string) => (await page.getByTestId(id).locator('.stat-value').textContent()) ?? '';

  it('renders the dashboard with 8 cards, recent activity and the throughput chart, live over SSE', async () => {
    await open('dashboard');
    await page.getByTestId('live-state').filter({ hasText: 'live' }).waitFor();
    for (const card of ['customers', 'products', 'revenue', 'orders', 'pending', 'accepted', 'denied', 'approval']) {
      await page.getByTestId(`card-${card}`).waitFor();
    }
    expect(await cardValue('card-orders')).toBe('40');
    expect(await page.getByTestId('recent-activity').locator('tbody tr').count()).toBe(10);
    await page.getByTestId('throughput-chart').locator('canvas').waitFor();
    const [order] = orders(1, 22);
    if (order === undefined) throw new Error('no order');
    await produceOrders(h.bus, h.store.produced, [{ ...order, timestamp: Date.now() }]);
    await page.locator(`[data-order-id="${order.orderId}"]`).waitFor({ timeout: 2_000 });
    await waitFor(
      'card updated',
      () => cardValue('card-orders'),
      (v) => v === '41',
    );
  });

  it('reads and changes the generator settings', async () => {
    await open('dashboard');
    const generator = page.getByTestId('generator');
    const rate = generator.getByLabel('Orders/s');
    await waitFor(
      'settings loaded',
      () => rate.inputValue(),
      (v) => v !== '',
    );
    await rate.fill('75');
    await generator.getByLabel('Anomaly rate').fill('0.25');
    await generator.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Generator set to 75 orders/s, 25% anomalies.').waitFor();
    expect(await h.store.control.generatorSettings()).toMatchObject({ orderRate: 75, anomalyRate: 0.25 });
  });

  it('approves a pending order from Recent Activity: badge and cards change without a reload', async () => {
    const order = pendingOrder(Date.now());
    await h.seed([order]);
    await open('dashboard');
    const row = page.locator(`[data-order-id="${order.orderId}"]`);
    await row.waitFor();
    const pendingBefore = Number(await cardValue('card-pending'));
    const acceptedBefore = Number(await cardValue('card-accepted'));
    // A flag on the page survives only if nothing reloads it.
    await page.evaluate(() => ((globalThis as unknown as { marker: boolean }).marker = true));
    await row.getByRole('button', { name: 'Approve' }).click();
    await row.locator('.badge-accepted').waitFor({ timeout: 5_000 });
    await waitFor(
      'pending card',
      async () => Number(await cardValue('card-pending')),
      (n) => n === pendingBefore - 1,
    );
    await waitFor(
      'accepted card',
      async () => Number(await cardValue('card-accepted')),
      (n) => n === acceptedBefore + 1,
    );
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: boolean }).marker)).toBe(true);
    expect((await h.store.registry.registered(order.orderId))?.status).toBe('accepted');
  });

  it('rolls an optimistic decision back with a visible message when the server refuses', async () => {
    const order = pendingOrder(Date.now());
    await h.seed([order]);
    await open('dashboard');
    const row = page.locator(`[data-order-id="${order.orderId}"]`);
    await row.waitFor();
    await page.route('**/api/orders/*/status', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ success: false, error: 'order is denied, not pending' }),
      }),
    );
    await row.getByRole('button', { name: 'Deny' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Could not deny the order: order is denied, not pending' })
      .waitFor();
    await row.locator('.badge-pending').waitFor();
  });

  it('creates an order from the form; it appears in Recent Activity within 2 s', async () => {
    await open('create');
    await page.getByLabel('Customer id').fill('0');
    await page.getByLabel('Unit price').fill('0');
    await page.getByRole('button', { name: 'Create order' }).click();
    await page.getByTestId('error-customer-id').waitFor();
    expect(await page.getByTestId('error-unit-price').textContent()).toContain('0.01');
    await page.getByLabel('Customer id').fill('42');
    await page.getByLabel('Quantity', { exact: true }).fill('3');
    await page.getByLabel('Unit price').fill('12.34');
    await page.getByRole('button', { name: 'Create order' }).click();
    const link = page.getByTestId('created-link');
    await link.waitFor();
    const id = (await link.textContent()) ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const createdAt = Date.now();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator(`[data-order-id="${id}"]`).waitFor({ timeout: 2_000 });
    console.log(`created order visible in Recent Activity ${Date.now() - createdAt} ms after the form answered`);
  });

  it('searches orders by UUID: found, malformed and unknown ids get the right result or message', async () => {
    const order = pendingOrder(Date.now() - 1_000);
    await h.seed([order]);
    await open('orders');
    const search = page.getByLabel('Find an order by UUID');
    await search.fill(order.orderId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('order-detail').getByText(`Order ${order.orderId}`).waitFor();
    expect(await page.getByTestId('failed-rules').textContent()).toContain('price-consistency');
    expect(await page.getByTestId('history').textContent()).toContain('v1');
    await search.fill('not-a-uuid');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-message').filter({ hasText: 'Not a valid order id' }).waitFor();
    const unknown = randomUUID();
    await search.fill(unknown);
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByTestId('search-message')
      .filter({ hasText: `No order with id ${unknown}` })
      .waitFor();
  });

  it('filters orders by status', async () => {
    await open('orders');
    await page.getByTestId('orders-table').waitFor();
    await page.getByTestId('status-filter').selectOption('denied');
    await waitFor(
      'only denied rows',
      async () => page.getByTestId('orders-table').locator('tbody .badge').allTextContents(),
      (badges) => badges.length > 0 && badges.every((b) => b === 'denied'),
    );
  });

  it('sorts and filters customers and products', async () => {
    await open('customers');
    const table = page.getByRole('table', { name: 'Customers' });
    await table.waitFor();
    const spent = async () =>
      (await table.locator('tbody tr td:nth-child(3)').allTextContents()).map((t) => Number(t.replace(/[$,]/g, '')));
    const descending = await spent();
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    await table.getByRole('button', { name: /Total Spent/ }).click();
    const ascending = await spent();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    const someId = (await table.locator('tbody tr td:first-child').first().textContent()) ?? '';
    await page.getByLabel('Customer id').fill(someId);
    await waitFor(
      'one row',
      () => table.locator('tbody tr').count(),
      (n) => n === 1,
    );

    await open('products');
    const products = page.getByRole('table', { name: 'Products' });
    await products.waitFor();
    await page.getByLabel('Product id starts with').fill('prod-00');
    const ids = await products.locator('tbody tr td:first-child').allTextContents();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('PROD-00'))).toBe(true);
    await page.getByLabel('Product id starts with').fill('zzz');
    await page.getByText('No product id starts with').waitFor();
    const avg = await products.locator('tbody tr td:nth-child(5)').allTextContents();
    expect(avg.every((a) => /^\d+\.\d$/.test(a))).toBe(true);
  });

  it('shows processor status with lag per partition', async () => {
    await open('processors');
    await page.getByTestId('processor-query-processor').locator('.badge-healthy').waitFor();
    expect(
      await page.getByRole('table', { name: 'query-processor lag per partition' }).locator('tbody tr').count(),
    ).toBe(3);
    await page.getByTestId('processor-lag-chart').locator('canvas').waitFor();
  });

  it('keeps updating by polling when the stream drops', async () => {
    await page.route('**/api/stream', (route) => route.abort());
    await open('dashboard');
    await page.getByTestId('live-state').filter({ hasText: 'polling' }).waitFor();
    const before = Number(await cardValue('card-orders'));
    const [order] = orders(1, 23);
    if (order === undefined) throw new Error('no order');
    await h.seed([{ ...order, timestamp: Date.now() }]);
    await waitFor(
      'polled card',
      async () => Number(await cardValue('card-orders')),
      (n) => n === before + 1,
      12_000,
    );
    await page.locator(`[data-order-id="${order.orderId}"]`).waitFor({ timeout: 6_000 });
  });

  it('has Refresh and Auto-refresh on every view, reachable by keyboard', async () => {
    for (const view of ['dashboard', 'orders', 'customers', 'products', 'processors', 'create', 'about']) {
      await open(view);
      await page.getByTestId('refresh').waitFor();
      await page.getByTestId('auto-refresh').waitFor();
    }
    await open('dashboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document
          .activeElement?.textContent,
    );
    expect(focused).toBe('Dashboard');
    await page.getByTestId('auto-refresh').uncheck();
    await page.getByTestId('live-state').filter({ hasText: 'paused' }).waitFor();
  });

  it('writes screenshots of every view at 1440 px and 390 px', async () => {
    mkdirSync(screenshots, { recursive: true });
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const view of ['dashboard', 'orders', 'customers', 'products', 'processors', 'create', 'about']) {
        await open(view);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.screenshot({ path: `${screenshots}${view}-${width}.png`, fullPage: true });
      }
    }
  }, 60_000);
});
