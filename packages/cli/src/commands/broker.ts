import { pipelineTopics } from '@kafka-monitor/runtime';
import { plural, table } from '../format.js';
import type { CommandContext } from './context.js';

/**
 * Is the bus answering, how fast, and does it hold the pipeline's topics? Exits non-zero only when
 * the bus cannot be reached; missing topics are reported with the command that creates them.
 */
export async function brokerHealth(context: CommandContext): Promise<void> {
  const startedAt = performance.now();
  const bus = await context.session.bus();
  await bus.ping();
  const elapsed = performance.now() - startedAt;
  context.out.line(`Bus: ${await context.session.busTarget()} is reachable (answered in ${elapsed.toFixed(0)} ms)`);
  const admin = await context.session.optionalAdmin();
  if (admin !== undefined) {
    const cluster = await admin.describeCluster();
    context.out.line(
      `Cluster: ${cluster.clusterId}, ${plural(cluster.brokers.length, 'broker')}, controller ${cluster.controllerId ?? 'none'}`,
    );
  }
  const present = new Set((await bus.listTopics()).map((t) => t.name));
  const missing = pipelineTopics(context.config.partitions)
    .map((t) => t.name)
    .filter((name) => !present.has(name));
  context.out.line(
    missing.length === 0
      ? 'Topics: all pipeline topics present'
      : `Topics: missing ${missing.join(', ')}; run \`kafka-monitor setup\``,
  );
  context.out.line('Status: healthy');
}

/** The CLI's own settings, then the cluster and the configuration of its broker. */
export async function brokerConfig(context: CommandContext): Promise<void> {
  const { config } = context;
  context.out.line('Client configuration:');
  context.out.lines(
    table(
      ['setting', 'value'],
      [
        ['BUS', config.bus],
        config.bus === 'kafka' ? ['KAFKA_BROKERS', config.kafkaBrokers.join(',')] : ['DATA_DIR', config.dataDir],
        ['STORE', config.store],
        ['PARTITIONS', config.partitions],
      ],
    ).map((line) => `  ${line}`),
  );
  const admin = await context.session.admin('broker-config');
  const cluster = await admin.describeCluster();
  context.out.line();
  context.out.line(`Cluster ${cluster.clusterId}:`);
  context.out.lines(
    table(
      ['node', 'address', 'controller'],
      cluster.brokers.map((b) => [b.nodeId, b.address, b.nodeId === cluster.controllerId ? 'yes' : '']),
    ).map((line) => `  ${line}`),
  );
  context.out.line();
  context.out.line('Broker configuration:');
  const entries = await admin.brokerConfig();
  context.out.lines(
    table(
      ['name', 'value', 'source'],
      entries.map((e) => [e.name, e.value ?? '(hidden)', e.isDefault ? 'default' : 'set']),
    ).map((line) => `  ${line}`),
  );
}
