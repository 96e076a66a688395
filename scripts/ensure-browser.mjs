#!/usr/bin/env node
/**
 * Runs before `npm test` (the `pretest` script): the dashboard tests drive a real Chromium, so a fresh
 * machine gets one here instead of a failed test run. In order:
 *   1. a browser already there: Debian's /usr/bin/chromium, or the one Playwright downloads;
 *   2. root on Debian: `apt-get install chromium` (Debian's build, the one CI uses);
 *   3. otherwise Playwright's own download (`playwright-core install chromium`);
 *   4. if none of that worked: one line with the command to run, and exit 1 (never a skipped test).
 * Plain JavaScript on purpose: it must run with nothing but node, before any build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getuid } from 'node:process';
import { chromium } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The browser the tests will launch (test/web/browser.ts looks in the same order), or undefined. */
function findBrowser() {
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const downloaded = playwrightChromium();
  return downloaded !== undefined && existsSync(downloaded) ? downloaded : undefined;
}

function playwrightChromium() {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/**
 * The installers' progress is hundreds of lines; their errors (stderr) are what a reader needs.
 * @param {string} command
 * @param {string[]} args
 */
function run(command, args) {
  console.log(`ensure-browser: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function installWithApt() {
  if (getuid?.() !== 0 || !existsSync('/etc/debian_version') || !existsSync('/usr/bin/apt-get')) return false;
  return run('apt-get', ['update', '-qq']) && run('apt-get', ['install', '-y', '-qq', 'chromium']);
}

function installWithPlaywright() {
  const cli = createRequire(import.meta.url).resolve('playwright-core/cli.js');
  return run(process.execPath, [cli, 'install', 'chromium']);
}

function main() {
  const present = findBrowser();
  if (present !== undefined) return 0;
  console.log('ensure-browser: no Chromium for the dashboard tests; installing one');
  const installed = installWithApt() || installWithPlaywright() ? findBrowser() : undefined;
  if (installed !== undefined) {
    console.log(`ensure-browser: using ${installed}`);
    return 0;
  }
  console.error(
    'ensure-browser: no Chromium could be installed. Run `sudo apt-get install chromium` (Debian/Ubuntu) ' +
      'or `npx playwright-core install chromium`, then `npm test` again.',
  );
  return 1;
}

process.exitCode = main();
