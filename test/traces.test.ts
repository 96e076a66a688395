import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { temporaryDirectory } from './helpers.js';
import { describeTraceScenario } from './traces/trace-scenario.js';

describeTraceScenario('embedded log and SQLite store', async () => {
  const dir = temporaryDirectory('traces-');
  const files = embeddedFiles(dir.path);
  const bus = createEmbeddedEventBus({ file: files.log, pollIntervalMs: 10 });
  const store = createSqliteStore({ file: files.store });
  await bus.ensureTopics(pipelineTopics());
  await store.migrate();
  return {
    bus,
    store,
    busType: 'embedded',
    async close() {
      await bus.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      dir.remove();
    },
  };
});
