import { runProcess } from '@kafka-monitor/runtime';
import { createRegistryProcessor } from './registry-processor.js';
import { reviewExpiryFrom } from './review-expiry.js';

await runProcess(
  'registry-processor',
  async ({ config, infrastructure, logger, metrics, tracing }) => {
    const processor = createRegistryProcessor({
      bus: infrastructure.bus,
      registry: infrastructure.store.registry,
      control: infrastructure.store.control,
      instanceId: config.processorId,
      logger,
      now: Date.now,
      tracing,
      observeBatch: metrics.observeBatch,
      observeHop: metrics.observeHop,
      expiry: reviewExpiryFrom(config),
      countExpired: metrics.countExpired,
      ruleLimits: config.ruleLimits,
    });
    await processor.start();
    return [processor];
  },
  { services: ['registry-processor'] },
);
