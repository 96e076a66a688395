import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { timeOrderedOrderId, type Order } from '@kafka-monitor/domain';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { waitFor } from '@kafka-monitor/testkit';
import { startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

/** Orders as the generator makes them: time-ordered ids, so all of one millisecond share their first 12 digits. */
function sameMinuteOrders(count: number, timestamp: number): Order[] {
  return Array.from({ length: count }, (_, i) => ({
    orderId: timeOrderedOrderId(timestamp, randomBytes(10)),
    customerId: 300 + i,
    productId: 'PROD-003',
    quantity: 3 + i,
    unitPriceCents: 1_000,
    // Every other one fails price-consistency, so it waits for a decision.
    totalCents: i % 2 === 0 ? 3_000 + i * 1_000 + 500 : 3_000 + i * 1_000,
    timestamp,
    status: 'pending',
  }));
}

describe('dashboard details in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const recent = sameMinuteOrders(6, Date.now());
  // Older rows show their date too, the widest form the Time column takes; large figures widen the others.
  const older = sameMinuteOrders(3, Date.now() - 400 * 86_400_000).map((o) => ({
    ...o,
    customerId: 99_999,
    quantity: 125,
    totalCents: 125 * 79_999,
    unitPriceCents: 79_999,
  }));

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD, heartbeatMs: 1_000 });
    await h.seed([...older, ...recent]);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
  });
  afterEach(async () => {
    await page.close();
  });

  const open = async (view: string) => {
    await page.goto(`${h.base}/#/${view}`);
  };

  it('tells orders of the same minute apart: distinct short ids, the full id on hover, a copy button', async () => {
    expect(new Set(recent.map((o) => o.orderId.slice(0, 8))).size).toBe(1);
    for (const [view, table] of [
      ['dashboard', 'recent-activity'],
      ['orders', 'orders-table'],
    ] as const) {
      await open(view);
      const rows = page.getByTestId(table);
      await rows.locator(`[data-order-id="${recent[0]?.orderId ?? ''}"]`).waitFor();
      const shown: string[] = [];
      for (const order of recent) {
        const id = rows.locator(`[data-order-id="${order.orderId}"]`).getByTestId('order-id');
        expect(await id.getAttribute('title')).toBe(order.orderId);
        const text = ((await id.textContent()) ?? '').replace('…', '');
        expect(text.length).toBeGreaterThanOrEqual(6);
        expect(text.length).toBeLessThan(order.orderId.length);
        expect(order.orderId.endsWith(text)).toBe(true);
        shown.push(text);
      }
      expect(new Set(shown).size, `${view}: ${shown.join(', ')}`).toBe(recent.length);
      const last = recent.at(-1);
      if (last === undefined) throw new Error('no order');
      await rows
        .locator(`[data-order-id="${last.orderId}"]`)
        .getByRole('button', { name: `Copy order id ${last.orderId}` })
        .click();
      await waitFor(
        `${view}: id copied`,
        () =>
          page.evaluate(() =>
            (
              globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
            ).navigator.clipboard.readText(),
          ),
        (copied) => copied === last.orderId,
      );
    }
  });

  it('at 1440 px keeps Approve and Deny inside the Recent Activity card, without horizontal scrolling', async () => {
    await open('dashboard');
    await page.locator(`[data-order-id="${older[0]?.orderId ?? ''}"]`).waitFor();
    const pending = recent[recent.length % 2 === 0 ? recent.length - 2 : recent.length - 1];
    if (pending === undefined) throw new Error('no order');
    const row = page.locator(`[data-order-id="${pending.orderId}"]`);
    await row.getByRole('button', { name: 'Deny' }).waitFor();
    const card = page.locator('.card', { has: page.getByTestId('recent-activity') });
    const cardBox = await card.boundingBox();
    if (cardBox === null) throw new Error('no card');
    for (const name of ['Approve', 'Deny']) {
      const box = await row.getByRole('button', { name }).boundingBox();
      if (box === null) throw new Error(`no ${name} button`);
      expect(box.x, name).toBeGreaterThanOrEqual(cardBox.x);
      expect(box.x + box.width, `${name} ends inside the card`).toBeLessThanOrEqual(cardBox.x + cardBox.width);
    }
    const overflow = () => card.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    expect(await overflow(), 'the table scrolls sideways').toBeLessThanOrEqual(0);
    // Narrower desktops stack the chart under the table rather than squeeze it.
    for (const width of [1280, 1120]) {
      await page.setViewportSize({ width, height: 900 });
      await waitFor(`no sideways scroll at ${width} px`, overflow, (px) => px <= 0, 2_000);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    // The chart follows the new width on the next frame.
    await waitFor(
      'no sideways scroll of the page at 1440 px',
      () =>
        page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        ),
      (px) => px <= 1440,
      2_000,
    );
  });

  it('shows an order found in the timeline but not registered yet, and accepts an id in upper case', async () => {
    const [unregistered] = sameMinuteOrders(1, Date.now() - 5_000);
    if (unregistered === undefined) throw new Error('no order');
    // Only the query processor's effect: the registry has not seen the order yet.
    await h.store.views.applyOrders(
      { consumer: 'browser-test', topic: 'orders', partition: 0 },
      [{ offset: 0, content: unregistered }],
      Date.now(),
    );
    await open('orders');
    const search = page.getByLabel('Find an order by UUID');
    await search.fill(unregistered.orderId.toUpperCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-message').filter({ hasText: 'Found in the timeline' }).waitFor();
    const detail = page.getByTestId('order-detail');
    await detail.getByText(`Order ${unregistered.orderId}`).waitFor();
    expect(await detail.getByTestId('order-state').textContent()).toMatch(/not registered yet/i);
    expect(await detail.locator('.badge-unregistered').count()).toBe(1);
    expect(await detail.locator('.badge-pending').textContent()).toBe('pending');
    expect(await detail.textContent()).toContain(`${unregistered.quantity} ×`);
    expect(await detail.getByRole('alert').count()).toBe(0);

    const registered = recent[0];
    if (registered === undefined) throw new Error('no order');
    await search.fill(`  ${registered.orderId.toUpperCase()} `);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-message').filter({ hasText: 'Found in the registry' }).waitFor();
    await detail.getByText(`Order ${registered.orderId}`).waitFor();
    expect(await page.getByTestId('failed-rules').textContent()).toContain('price-consistency');
  });

  it('has a quantity column in the Orders table and a legend of the statuses', async () => {
    await open('orders');
    const table = page.getByTestId('orders-table');
    const order = recent[1];
    if (order === undefined) throw new Error('no order');
    await table.locator(`[data-order-id="${order.orderId}"]`).waitFor();
    const headers = (await table.locator('thead th').allTextContents()).map((t) => t.trim());
    const qty = headers.indexOf('Qty');
    expect(qty, headers.join(' | ')).toBeGreaterThan(-1);
    const cells = await table.locator(`[data-order-id="${order.orderId}"] td`).allTextContents();
    expect(cells[qty]).toBe(String(order.quantity));
    for (const view of ['orders', 'dashboard']) {
      await open(view);
      const legend = page.getByTestId('status-legend');
      await legend.waitFor();
      const text = (await legend.textContent()) ?? '';
      for (const status of ['pending', 'accepted', 'denied']) {
        expect(await legend.locator(`.badge-${status}`).count(), `${view}: ${status}`).toBe(1);
      }
      expect(text).toMatch(/waits for an operator/);
    }
  });

  it('serves a favicon: no console error and no failed request when any view loads', async () => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    for (const view of [
      'dashboard',
      'orders',
      'customers',
      'products',
      'processors',
      'dead-letters',
      'rules',
      'create',
      'about',
    ]) {
      await open(view);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
    }
    expect(problems).toEqual([]);
    const icon = await fetch(`${h.base}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\//);
    expect((await icon.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const linked = await page.locator('link[rel="icon"]').getAttribute('href');
    if (linked === null) throw new Error('no icon linked');
    const linkedIcon = await fetch(new URL(linked, h.base));
    expect(linkedIcon.status).toBe(200);
    expect(linkedIcon.headers.get('content-type')).toMatch(/^image\//);
  });

  it('shows the store in the Processors view: kind, status, latency of a probe and size', async () => {
    await open('processors');
    const card = page.getByTestId('store-card');
    await card.locator('.badge-connected').waitFor();
    expect(await card.getByTestId('store-kind').textContent()).toBe('SQLite (embedded)');
    expect(await card.getByTestId('store-latency').textContent()).toMatch(/^\d+\.\d\d ms$/);
    const size = card.getByTestId('store-size');
    expect(await size.textContent()).toMatch(
      /^\d+(\.\d)? (B|KiB|MiB|GiB) \(database file and write-ahead log on disk\)$/,
    );
    const api = (await (await fetch(`${h.base}/api/store`)).json()) as { data: { 'size-bytes': number } };
    expect(api.data['size-bytes']).toBeGreaterThan(0);
  });

  it('runs the consistency audit from the Processors view and shows each difference with both values', async () => {
    // An order in the views that the log never had: a customer row only the store holds.
    const [injected] = sameMinuteOrders(1, Date.now() - 5_000);
    if (injected === undefined) throw new Error('no order');
    const customerId = 777_777;
    await h.store.views.applyOrders(
      { consumer: 'audit-browser-test', topic: 'orders', partition: 0 },
      [{ offset: 0, content: { ...injected, customerId } }],
      Date.now(),
    );
    await open('processors');
    const card = page.getByTestId('audit-card');
    await card.getByTestId('audit-run').click();
    await card
      .getByTestId('audit-result')
      .filter({ hasText: /^\d+ differences$/ })
      .waitFor({ timeout: 20_000 });
    const row = card.getByTestId('audit-drifts').locator('tr', { hasText: String(customerId) });
    expect(await row.locator('td').allTextContents()).toEqual([
      'customer',
      String(customerId),
      'row',
      '(no row)',
      'present',
    ]);
    const api = (await (await fetch(`${h.base}/api/audit`)).json()) as {
      data: {
        status: string;
        report: { clean: boolean; drifts: unknown[]; compared: { 'registered-orders': number } };
      };
    };
    expect(api.data).toMatchObject({ status: 'done', report: { clean: false } });
    expect(api.data.report.drifts).toContainEqual({
      view: 'customer',
      key: String(customerId),
      field: 'row',
      expected: null,
      stored: 'present',
    });
    expect(await card.getByTestId('audit-result').textContent()).toBe(`${api.data.report.drifts.length} differences`);
    expect(await card.getByTestId('audit-compared').textContent()).toMatch(
      new RegExp(`, ${api.data.report.compared['registered-orders']} registered orders$`),
    );
  });

  it('rebuilds the views from the Processors view: the plan per partition, live progress, then the new generation', async () => {
    await open('processors');
    const card = page.getByTestId('rebuild-card');
    await card.getByTestId('rebuild-plan').locator('tbody tr').first().waitFor({ timeout: 20_000 });
    const plan = (await (await fetch(`${h.base}/api/rebuild/plan`)).json()) as {
      data: { 'to-generation': number; partitions: { partition: number; 'to-offset': number }[] };
    };
    const rows = await card.getByTestId('rebuild-plan').locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(plan.data.partitions.length);
    expect(rows[0]).toContain('orders/0');
    await card.getByTestId('rebuild-run').click();
    await card
      .getByTestId('rebuild-result')
      .filter({ hasText: `generation ${plan.data['to-generation']}` })
      .waitFor({ timeout: 30_000 });
    expect(await card.getByTestId('rebuild-progress').textContent()).toMatch(/^done: /);
    const state = (await (await fetch(`${h.base}/api/rebuild`)).json()) as { data: { status: string } };
    expect(state.data.status).toBe('done');
    expect(await h.store.viewGenerations.pointer({ fresh: true })).toEqual({
      reads: plan.data['to-generation'],
      writes: plan.data['to-generation'],
    });
    await card.screenshot({ path: 'docs/screenshots/rebuild-card-1440.png' });
  });

  it('at 1440 px shows every lag column without sideways scrolling, in the cards and in the partition table', async () => {
    await open('processors');
    const card = page.getByTestId('processor-registry-processor');
    await card
      .getByRole('table', { name: 'registry-processor lag per partition' })
      .locator('tbody tr')
      .first()
      .waitFor();
    const details = page.getByTestId('partition-details');
    await details.locator('tbody tr').first().waitFor();
    const overflow = (wrap: typeof card) =>
      wrap.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
    for (const name of ['order-processor', 'query-processor', 'registry-processor']) {
      const processor = page.getByTestId(`processor-${name}`);
      if ((await processor.locator('.table-wrap').count()) > 0) {
        expect(await overflow(processor), `${name}'s card scrolls sideways`).toBeLessThanOrEqual(0);
      }
    }
    expect(await overflow(details), 'the partition table scrolls sideways').toBeLessThanOrEqual(0);
    expect(await details.locator('thead th').count()).toBe(12);
  });

  it("spans the throughput chart's time axis over its samples, not years", async () => {
    await open('dashboard');
    const chart = page.getByTestId('throughput-chart');
    const axis = async () => {
      const [min, max, samples] = await Promise.all(
        ['data-x-min', 'data-x-max', 'data-samples'].map((name) => chart.getAttribute(name)),
      );
      return { min: Number(min), max: Number(max), samples: Number(samples) };
    };
    const first = await waitFor('one sample drawn', axis, (a) => a.samples >= 1 && Number.isFinite(a.max));
    expect(first.max - first.min).toBeGreaterThan(0);
    expect(first.max - first.min).toBeLessThanOrEqual(120);
    const second = await waitFor('two samples drawn', axis, (a) => a.samples >= 2, 10_000);
    expect(second.max - second.min).toBeGreaterThan(0);
    // Two samples a few seconds apart: the axis covers them and little more, seconds not years.
    expect(second.max - second.min).toBeLessThanOrEqual(120);
    expect(second.max).toBeGreaterThanOrEqual(Date.now() / 1000 - 60);
  });
});
