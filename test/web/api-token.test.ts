import type { Browser, Dialog, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { pendingOrder, startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

const TOKEN = 'dashboard-test-token';

describe('dashboard against a monitor that requires an API token', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const prompts: string[] = [];
  let answer = '';

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD, apiToken: TOKEN });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('dialog', (dialog: Dialog) => {
      prompts.push(dialog.message());
      void dialog.accept(answer);
    });
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });

  const approve = async (orderId: string) => {
    const row = page.locator(`[data-order-id="${orderId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Approve' }).click();
    return row;
  };

  it('asks for the token on the first refusal, shows a wrong one as refused, then acts with the right one', async () => {
    const first = pendingOrder(Date.now() - 2_000);
    const second = pendingOrder(Date.now() - 1_000);
    await h.seed([first, second]);
    await page.goto(`${h.base}/#/dashboard`);

    answer = 'not-the-token';
    await approve(first.orderId);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Could not approve the order: missing or wrong bearer token' })
      .waitFor({ timeout: 5_000 });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain('API token');
    expect((await h.store.registry.registered(first.orderId))?.status).toBe('pending');

    answer = TOKEN;
    const row = await approve(first.orderId);
    await row.locator('.badge-accepted').waitFor({ timeout: 5_000 });
    expect(prompts).toHaveLength(2);
    expect((await h.store.registry.registered(first.orderId))?.status).toBe('accepted');

    // Kept for the tab: the next change goes through without asking again.
    const next = await approve(second.orderId);
    await next.locator('.badge-accepted').waitFor({ timeout: 5_000 });
    expect(prompts).toHaveLength(2);
    expect((await h.store.registry.registered(second.orderId))?.status).toBe('accepted');
  });
});
