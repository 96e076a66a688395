import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '@kafka-monitor/domain';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { waitFor } from '@kafka-monitor/testkit';
import { orders, startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const order = (quantity: number, overrides: Partial<Order> = {}): Order => ({
  orderId: randomUUID(),
  customerId: 21,
  productId: 'PROD-005',
  quantity,
  unitPriceCents: 250,
  totalCents: quantity * 250,
  timestamp: 1_700_002_000_000,
  status: 'pending',
  ...overrides,
});

describe('the Rules view in a real browser: thresholds, what each rule hit, a what-if simulation', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const big = [order(85), order(95), order(2_000)];

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD });
    await h.seed([...orders(40, 11, 0.2), ...big, order(3, { totalCents: 752 })]);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });

  it('shows the eight rules with their configured thresholds and what each hit', async () => {
    await page.goto(`${h.base}/#/rules`);
    const rules = page.getByTestId('rules-table').locator('tbody tr');
    await rules.first().waitFor();
    expect(await rules.count()).toBe(8);
    expect(await rules.nth(1).textContent()).toContain('quantity ≤ 1000');
    const stats = page.getByTestId('rule-stats-table');
    await stats.waitFor();
    const maxQuantity = stats.locator('tbody tr', { hasText: 'maximum-quantity' });
    // The order of 2,000 went to review; its customer is among the rule's top customers.
    expect(await maxQuantity.textContent()).toContain('21 (');
    expect(await page.getByTestId('rule-stats-scope').textContent()).toContain('the whole log');
  });

  it('runs a simulation with a lower max quantity and shows the changed outcomes with examples', async () => {
    await page.getByLabel('Max quantity').fill('80');
    await page.getByLabel('Price tolerance').fill('0.02');
    await page.getByTestId('simulate').click();
    const summary = page.getByTestId('simulation-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/^3 of 44 orders would change outcome/);
    const transitions = await page.getByTestId('simulation-transitions').textContent();
    expect(transitions).toMatch(/accepted\s*→\s*pending: 2/);
    expect(transitions).toMatch(/pending\s*→\s*accepted: 1/);
    const examples = page.getByTestId('simulation-examples').locator('tbody tr');
    await waitFor(
      'three changed orders listed',
      () => examples.count(),
      (n) => n === 3,
    );
    expect(await page.getByTestId('simulation-examples').textContent()).toContain(
      'Quantity exceeds maximum of 80, got: 95',
    );
    expect(await page.getByTestId('simulation-rules').textContent()).toContain('maximum-quantity');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}rules-1440.png`, fullPage: true });
  });

  it('shows a refused simulation with the server reason', async () => {
    await page.getByLabel('Max quantity').fill('0');
    await page.getByTestId('simulate').click();
    await page.getByRole('alert').filter({ hasText: 'max-quantity' }).waitFor();
    await page.getByLabel('Max quantity').fill('80');
  });

  it('fits a phone screen and the About page shows the thresholds', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('simulate').click();
    await page.getByTestId('simulation-summary').waitFor();
    await page.screenshot({ path: `${screenshots}rules-390.png`, fullPage: true });
    await page.goto(`${h.base}/#/about`);
    const limits = page.getByTestId('about-rule-limits');
    await limits.waitFor();
    expect(await limits.textContent()).toContain(
      'quantity 1 to 1000, total 1.00 to 100000.00, price tolerance 0.01 (the defaults)',
    );
  });
});
