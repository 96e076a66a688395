import type { AddressInfo } from 'node:net';
import { httpUrl, newTimeOrderedId, runProcess } from '@kafka-monitor/runtime';
import { buildMonitor } from './server/app.js';
import { monitorOptionsFrom } from './server/monitor-options.js';

await runProcess(
  'monitor',
  async ({ config, infrastructure, logger, metrics, readiness, disk, tracing, announceMonitor }) => {
    const { app } = await buildMonitor({
      bus: infrastructure.bus,
      store: infrastructure.store,
      now: Date.now,
      newId: newTimeOrderedId,
      options: monitorOptionsFrom(config),
      logger,
      metrics,
      readiness: () => readiness.current(),
      ...(disk === undefined ? {} : { disk: () => disk.current() }),
      tracing,
    });
    await app.listen({ host: config.host, port: config.port });
    // PORT=0 takes any free port: the one bound is what the log and the banner say.
    const url = httpUrl(config.host, (app.server.address() as AddressInfo).port);
    logger.info({ url }, 'monitor listening');
    announceMonitor(url);
    return [{ stop: () => app.close() }];
  },
  { services: ['monitor'] },
);
