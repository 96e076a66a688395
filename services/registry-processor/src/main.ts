import { runProcess } from '@kafka-monitor/runtime';
import { createRegistryProcessor } from './registry-processor.js';

await runProcess('registry-processor', async ({ config, infrastructure, logger }) => {
  const processor = createRegistryProcessor({
    bus: infrastructure.bus,
    registry: infrastructure.store.registry,
    control: infrastructure.store.control,
    instanceId: config.processorId,
    logger,
    now: Date.now,
  });
  await processor.start();
  return [processor];
});
