#!/usr/bin/env node
// The CLI runs as compiled JavaScript (dist/app/kafka-monitor.js, decision 11), resolved next to this
// file rather than from the caller's directory so `npx kafka-monitor` and ./kafka.sh work from
// anywhere. In a checkout (scripts/build.mjs present) a missing or stale build is rebuilt first, as
// `npm start` does; an installed tree such as the image has no sources and runs what it holds.
import { existsSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const builder = new URL('../../../scripts/build.mjs', import.meta.url);
if (existsSync(fileURLToPath(builder))) {
  /** @type {unknown} */
  const module = await import(builder.href);
  const { ensureRuntimeBuilt } = /** @type {{ ensureRuntimeBuilt: () => Promise<void> }} */ (module);
  await ensureRuntimeBuilt();
}
await import(new URL('../../../dist/app/kafka-monitor.js', import.meta.url).href);
