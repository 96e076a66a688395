import { runProcess } from '@kafka-monitor/runtime';
import { buildMonitorApp } from './server/app.js';

await runProcess('monitor', async ({ config, infrastructure }) => {
  const app = buildMonitorApp({
    bus: infrastructure.bus,
    store: infrastructure.store,
    busType: config.bus,
    storeType: config.store,
    now: Date.now,
  });
  await app.listen({ host: config.host, port: config.port });
  return [{ stop: () => app.close() }];
});
