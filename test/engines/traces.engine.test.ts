import { loadConfig, openInfrastructure } from '@kafka-monitor/runtime';
import { temporaryDirectory } from '../helpers.js';
import { describeTraceScenario } from '../traces/trace-scenario.js';

const brokers = process.env.KAFKA_BROKERS;
if (brokers === undefined || brokers === '')
  throw new Error('KAFKA_BROKERS must name the Kafka engine (npm run test:engines sets it)');

// The trace context travels in Kafka record headers; the store is the embedded SQLite one, so only
// the broker is needed. A fresh BUS_PREFIX gives this run its own topics and consumer groups.
describeTraceScenario('Kafka and SQLite store', async () => {
  const dir = temporaryDirectory('traces-kafka-');
  const config = loadConfig({
    BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    STORE: 'sqlite',
    DATA_DIR: dir.path,
    BUS_PREFIX: `traces-${Date.now().toString(36)}.`,
    PROCESSOR_ID: 'traces-engine-test',
  });
  const infrastructure = await openInfrastructure(config);
  return {
    bus: infrastructure.bus,
    store: infrastructure.store,
    busType: 'kafka',
    async close() {
      await infrastructure.close();
      dir.remove();
    },
  };
});
