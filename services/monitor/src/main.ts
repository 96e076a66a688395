import { newTimeOrderedId, runProcess } from '@kafka-monitor/runtime';
import { buildMonitor } from './server/app.js';
import { monitorOptionsFrom } from './server/monitor-options.js';

await runProcess(
  'monitor',
  async ({ config, infrastructure, logger, metrics, readiness, tracing }) => {
    const { app } = await buildMonitor({
      bus: infrastructure.bus,
      store: infrastructure.store,
      now: Date.now,
      newId: newTimeOrderedId,
      options: monitorOptionsFrom(config),
      logger,
      metrics,
      readiness: () => readiness.current(),
      tracing,
    });
    await app.listen({ host: config.host, port: config.port });
    logger.info({ url: `http://${config.host}:${config.port}/` }, 'monitor listening');
    return [{ stop: () => app.close() }];
  },
  { services: ['monitor'] },
);
