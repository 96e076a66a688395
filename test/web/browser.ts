import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's chromium where it is installed (CI), else the browser Playwright downloads; `npm test`'s
 * pretest step (scripts/ensure-browser.mjs) installs one of the two, looking in the same order.
 */
function browserPath(): string {
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const downloaded = chromium.executablePath();
  if (existsSync(downloaded)) return downloaded;
  throw new Error(
    `no Chromium at ${DEBIAN_CHROMIUM} or ${downloaded}: run \`node scripts/ensure-browser.mjs\` (npm test does)`,
  );
}

/** Builds the dashboard if needed (the same check `npm start` runs). */
export function ensureDashboardBuilt(): void {
  const script = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}

/** A real Chromium, driven by playwright-core; a missing browser fails the run instead of skipping. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: browserPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
