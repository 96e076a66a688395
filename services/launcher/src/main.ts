import type { AddressInfo } from 'node:net';
import { buildMonitor, monitorOptionsFrom } from '@kafka-monitor/monitor';
import { createOrderProcessor } from '@kafka-monitor/order-processor';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor, reviewExpiryFrom } from '@kafka-monitor/registry-processor';
import { httpUrl, newTimeOrderedId, runProcess, type Stoppable } from '@kafka-monitor/runtime';

// Runs the services named by SERVICES (all by default) in this one process, sharing one bus and store.
await runProcess(
  'kafka-monitor',
  async ({ config, infrastructure, logger, metrics, readiness, disk, tracing, announceMonitor }) => {
    const { bus, store } = infrastructure;
    const selected = new Set(config.services);
    const started: Stoppable[] = [];
    const monitor = selected.has('monitor')
      ? await buildMonitor({
          bus,
          store,
          now: Date.now,
          newId: newTimeOrderedId,
          options: monitorOptionsFrom(config),
          logger,
          metrics,
          readiness: () => readiness.current(),
          ...(disk === undefined ? {} : { disk: () => disk.current() }),
          tracing,
        })
      : undefined;
    // Every processor observes its batches in the process's one registry, whether or not the monitor is here.
    const shared = {
      bus,
      control: store.control,
      instanceId: config.processorId,
      logger,
      now: Date.now,
      observeBatch: metrics.observeBatch,
      tracing,
    };

    // Consumers first, so the first generated orders find them running.
    if (selected.has('query-processor')) {
      const processor = createQueryProcessor({ ...shared, views: store.views });
      await processor.start();
      started.push(processor);
    }
    if (selected.has('registry-processor')) {
      const processor = createRegistryProcessor({
        ...shared,
        registry: store.registry,
        observeHop: metrics.observeHop,
        expiry: reviewExpiryFrom(config),
        countExpired: metrics.countExpired,
        ruleLimits: config.ruleLimits,
      });
      await processor.start();
      started.push(processor);
    }
    if (selected.has('order-processor')) {
      const processor = createOrderProcessor({
        ...shared,
        produced: store.produced,
        random: Math.random,
        newOrderId: newTimeOrderedId,
        settings: { orderRate: config.orderRate, anomalyRate: config.anomalyRate },
      });
      await processor.start();
      started.push(processor);
    }
    if (monitor !== undefined) {
      await monitor.app.listen({ host: config.host, port: config.port });
      // PORT=0 takes any free port: the one bound is what the log and the banner say.
      const url = httpUrl(config.host, (monitor.app.server.address() as AddressInfo).port);
      logger.info({ url }, 'monitor listening');
      announceMonitor(url);
      started.push({ stop: () => monitor.app.close() });
    }
    return started;
  },
);
