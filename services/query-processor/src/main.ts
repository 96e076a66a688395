import { runProcess } from '@kafka-monitor/runtime';
import { createQueryProcessor } from './query-processor.js';

await runProcess(
  'query-processor',
  async ({ config, infrastructure, logger, metrics, tracing }) => {
    const processor = createQueryProcessor({
      bus: infrastructure.bus,
      views: infrastructure.store.views,
      control: infrastructure.store.control,
      instanceId: config.processorId,
      logger,
      now: Date.now,
      tracing,
      observeBatch: metrics.observeBatch,
    });
    await processor.start();
    return [processor];
  },
  { services: ['query-processor'] },
);
