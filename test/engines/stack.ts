import { silentLogger } from '@kafka-monitor/domain';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { loadConfig, openInfrastructure, type Infrastructure } from '@kafka-monitor/runtime';

export interface InProcessStack {
  readonly infrastructure: Infrastructure;
  /** Stops both processors, then closes the bus and the store. */
  stop(): Promise<void>;
}

/**
 * The bus and store that `variables` configure (the engines, with topics and keyspaces of the suite's
 * own), with a query and a registry processor running in this process under the instance id `name`.
 */
export async function startInProcessStack(name: string, variables: Record<string, string>): Promise<InProcessStack> {
  const infrastructure = await openInfrastructure(loadConfig({ PROCESSOR_ID: name, ...variables }));
  const { bus, store } = infrastructure;
  const shared = { bus, control: store.control, instanceId: name, logger: silentLogger, now: Date.now };
  const query = createQueryProcessor({ ...shared, views: store.views });
  const registry = createRegistryProcessor({ ...shared, registry: store.registry });
  await query.start();
  await registry.start();
  return {
    infrastructure,
    async stop() {
      await query.stop();
      await registry.stop();
      await infrastructure.close();
    },
  };
}
