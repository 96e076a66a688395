import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { call, json, startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

/** Fails price-consistency, so the order is registered pending and waits for a decision. */
const suspicious = { 'customer-id': 11, 'product-id': 'PROD-004', quantity: 3, 'unit-price': 10, total: 35 };

describe('the Journey panel of an order in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await page.close();
    await browser.close();
    await h.close();
  });

  const stepKinds = () =>
    page.getByTestId('journey-step').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind') ?? ''));

  it('lists the steps of a posted order with their log positions, then its decision', async () => {
    const posted = await call(h.base, '/api/orders', json('POST', suspicious));
    expect(posted.status).toBe(201);
    const id = posted.body.data['order-id'] as string;
    const requestId = posted.headers.get('request-id') ?? '';

    await page.goto(`${h.base}/#/orders`);
    await page.getByLabel('Find an order by UUID').fill(id);
    await page.getByRole('button', { name: 'Search' }).click();
    const panel = page.getByRole('region', { name: 'Journey' });
    // The panel polls while the order is on its way: the registration appears without a reload.
    await panel.locator('[data-kind="registered"]').waitFor();
    const kinds = await stepKinds();
    // The views and the registry consume `orders` side by side: applied may come anywhere after produced.
    expect(kinds.filter((k) => k !== 'applied')).toEqual(['produced', 'validated', 'published', 'registered']);
    expect(kinds).toContain('applied');
    const produced = panel.locator('[data-kind="produced"]');
    // Each step's time of day to the millisecond, as the steps are milliseconds apart.
    expect(await produced.locator('td').first().textContent()).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(await produced.textContent()).toContain(`posted through the API (request ${requestId})`);
    expect(await produced.textContent()).toMatch(/orders\/\d@\d+/);
    expect(await panel.locator('[data-kind="registered"]').textContent()).toMatch(/registry\/\d@\d+/);
    expect(await panel.locator('[data-kind="validated"]').textContent()).toContain('price-consistency');
    expect(await page.getByTestId('journey-now').textContent()).toContain("waiting for an operator's decision");
    expect(await panel.getByRole('alert').count()).toBe(0);

    // A decision taken elsewhere reaches the open panel through the live stream.
    const decided = await call(h.base, `/api/orders/${id}/status`, json('PUT', { status: 'denied', reason: 'fraud' }));
    expect(decided.status).toBe(200);
    await panel.locator('[data-kind="decided"]').waitFor();
    expect(await panel.locator('[data-kind="decided"]').textContent()).toContain('pending → denied by api');
    expect(await page.getByTestId('journey-now').textContent()).toContain('denied (version 2)');
  });

  it('says what an order waits for while the registry processor is stopped', async () => {
    await h.registryProcessor.stop();
    const posted = await call(h.base, '/api/orders', json('POST', suspicious));
    const id = posted.body.data['order-id'] as string;
    await page.goto(`${h.base}/#/orders`);
    await page.getByLabel('Find an order by UUID').fill(id);
    await page.getByRole('button', { name: 'Search' }).click();
    const panel = page.getByRole('region', { name: 'Journey' });
    await panel.locator('[data-kind="applied"]').waitFor();
    await page.getByTestId('journey-now').filter({ hasText: 'waiting for registry-processor' }).waitFor();
    expect(await page.getByTestId('journey-now').textContent()).toMatch(/messages? of lag on orders\/\d/);
  });
});
