import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_BUILD } from '@kafka-monitor/monitor';
import { ensureDashboardBuilt } from './browser.js';

const BUDGET_KB = 250;

describe('dashboard bundle', () => {
  it(`ships at most ${BUDGET_KB} KB of gzipped JavaScript`, () => {
    ensureDashboardBuilt();
    const assets = join(DASHBOARD_BUILD, 'assets');
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const kb = scripts.reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0) / 1024;
    console.log(
      `dashboard JavaScript: ${scripts.length} file(s), ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`,
    );
    expect(kb).toBeLessThanOrEqual(BUDGET_KB);
  });
});
