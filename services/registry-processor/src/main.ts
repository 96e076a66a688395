import { runProcess } from '@kafka-monitor/runtime';
import { createRegistryProcessor } from './registry-processor.js';

await runProcess('registry-processor', async ({ infrastructure, logger }) => {
  const processor = createRegistryProcessor({
    bus: infrastructure.bus,
    registry: infrastructure.store.registry,
    logger,
    now: Date.now,
  });
  await processor.start();
  return [processor];
});
