import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS, type LagSample } from '@kafka-monitor/domain';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { startHarness, type Harness } from '../api/harness.js';
import { ensureDashboardBuilt, launchBrowser } from './browser.js';

const HOUR = 60 * 60_000;
const STEP = 5_000;

/**
 * An hour of 5-second samples ending just before `now`: a backlog that builds up over the first half
 * hour and is worked off over the second (so the chart has a shape, not a flat line).
 */
function hourOfSamples(now: number, peak: number): LagSample[] {
  const samples: LagSample[] = [];
  for (let at = now - HOUR; at < now - STEP; at += STEP) {
    const minutes = (at - (now - HOUR)) / 60_000;
    const lag = Math.round(minutes < 30 ? (peak * minutes) / 30 : (peak * (60 - minutes)) / 30);
    const end = 1_000 + Math.round(minutes * 100);
    samples.push({ at, committed: end - lag, end, lagSeconds: lag / 10 });
  }
  return samples;
}

describe('the Processors view right after a page load', () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    h = await startHarness({ webRoot: DASHBOARD_BUILD, restoreLagHistory: false });
    // The hour before the page loads, seeded into the monitor's history as its sampler would have kept it.
    const now = Date.now();
    for (const [group, peak] of [
      [GROUPS.queryProcessor, 400],
      [GROUPS.registryProcessor, 250],
    ] as const) {
      h.monitor.lagHistory.seed(group, TOPICS.orders, 0, hourOfSamples(now, peak));
    }
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await h.close();
  });

  it('charts an hour of lag history at once, with each group evaluated', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      const loadedAt = Date.now();
      await page.goto(`${h.base}/#/processors`);
      const chart = page.getByTestId('lag-history-chart');
      // Filled from the monitor's kept samples, not from the seconds since the load.
      await expect
        .poll(async () => Number(await chart.getAttribute('data-samples')), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(700);
      const shownWithinMs = Date.now() - loadedAt;
      const span = Number(await chart.getAttribute('data-x-max')) - Number(await chart.getAttribute('data-x-min'));
      expect(span).toBeGreaterThanOrEqual(59 * 60);
      expect(span).toBeLessThanOrEqual(61 * 60);
      // Both groups' lines, each with (nearly) every seeded point.
      expect(Number(await chart.getAttribute('data-values'))).toBeGreaterThanOrEqual(2 * 700);
      expect(await chart.locator('.u-legend').textContent()).toMatch(/query-processor.*registry-processor/);
      expect(shownWithinMs).toBeLessThan(10_000);

      // The groups' evaluation next to the chart: a status badge and, per partition, rates and drain time.
      const card = page.getByTestId('processor-query-processor');
      await expect.poll(() => card.getByTestId('group-status-query-processor').textContent()).toMatch(/ok|warn/i);
      expect(
        await card
          .getByRole('table', { name: 'query-processor lag per partition' })
          .locator('thead th')
          .allTextContents(),
      ).toEqual(['Topic', 'Partition', 'Lag', 'Status']);
      const details = page.getByRole('table', { name: 'Lag per partition, every group' });
      expect(await details.locator('thead th').allTextContents()).toEqual([
        'Group',
        'Topic',
        'Partition',
        'Lag',
        'Lag s',
        'Status',
        'Trend',
        'Drains in',
        'Consumed/s',
        'Produced/s',
        'Committed',
        'End',
      ]);
    } finally {
      await page.close();
    }
  });
});
