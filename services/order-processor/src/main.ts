import { newTimeOrderedId, runProcess } from '@kafka-monitor/runtime';
import { createOrderProcessor } from './order-processor.js';

await runProcess(
  'order-processor',
  async ({ config, infrastructure, logger, tracing }) => {
    const processor = createOrderProcessor({
      bus: infrastructure.bus,
      produced: infrastructure.store.produced,
      control: infrastructure.store.control,
      instanceId: config.processorId,
      logger,
      now: Date.now,
      tracing,
      random: Math.random,
      newOrderId: newTimeOrderedId,
      settings: { orderRate: config.orderRate, anomalyRate: config.anomalyRate },
    });
    await processor.start();
    return [processor];
  },
  { services: ['order-processor'] },
);
