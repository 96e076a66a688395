import { pipelineTopics, type Config, type TlsSettings } from '@kafka-monitor/runtime';
import { plural, table } from '../format.js';
import { printJson, type CommandContext, type JsonOption } from './context.js';

/**
 * Is the bus answering, how fast, and does it hold the pipeline's topics? Exits non-zero only when
 * the bus cannot be reached; missing topics are reported with the command that creates them.
 */
export async function brokerHealth(context: CommandContext, options: JsonOption = {}): Promise<void> {
  const startedAt = performance.now();
  const bus = await context.session.bus();
  await bus.ping();
  const elapsed = performance.now() - startedAt;
  const target = await context.session.busTarget();
  const admin = await context.session.optionalAdmin();
  const cluster = admin === undefined ? undefined : await admin.describeCluster();
  const present = new Set((await bus.listTopics()).map((t) => t.name));
  const missing = pipelineTopics(context.config.partitions)
    .map((t) => t.name)
    .filter((name) => !present.has(name));
  if (options.json === true) {
    return printJson(context, {
      bus: target,
      reachable: true,
      answeredMs: Math.round(elapsed),
      cluster: cluster ?? null,
      missingTopics: missing,
      status: 'healthy',
    });
  }
  context.out.line(`Bus: ${target} is reachable (answered in ${elapsed.toFixed(0)} ms)`);
  if (cluster !== undefined) {
    context.out.line(
      `Cluster: ${cluster.clusterId}, ${plural(cluster.brokers.length, 'broker')}, controller ${cluster.controllerId ?? 'none'}`,
    );
  }
  context.out.line(
    missing.length === 0
      ? 'Topics: all pipeline topics present'
      : `Topics: missing ${missing.join(', ')}; run \`kafka-monitor setup\``,
  );
  context.out.line('Status: healthy');
}

/** Whether a secret is configured; its value is never shown, nor its length. */
const SECRET_SET = '(set, not shown)';

function tlsRows(prefix: 'KAFKA_SSL' | 'CASSANDRA_SSL', tls: TlsSettings): [string, string][] {
  return [
    [`${prefix}_CA_FILE`, tls.caFile ?? '(system CAs)'],
    [`${prefix}_CERT_FILE`, tls.certFile ?? '(none)'],
    [`${prefix}_KEY_FILE`, tls.keyFile ?? '(none)'],
    ...(tls.keyPassword === undefined ? [] : ([[`${prefix}_KEY_PASSWORD`, SECRET_SET]] as [string, string][])),
    ['certificate verification', `on, server name ${tls.verifyHostname ? 'verified' : 'NOT verified'}`],
  ];
}

function kafkaRows(config: Config): [string, string][] {
  const { protocol, sasl, tls } = config.kafkaSecurity;
  return [
    ['KAFKA_BROKERS', config.kafkaBrokers.join(',')],
    ['KAFKA_SECURITY_PROTOCOL', protocol],
    ...(sasl === undefined
      ? []
      : ([
          ['KAFKA_SASL_MECHANISM', sasl.mechanism],
          ['KAFKA_SASL_USERNAME', sasl.username],
          ['KAFKA_SASL_PASSWORD', SECRET_SET],
        ] as [string, string][])),
    ...(tls === undefined ? [] : tlsRows('KAFKA_SSL', tls)),
  ];
}

function cassandraRows(config: Config): [string, string][] {
  const { contactPoints, port, datacenter, username, password, tls, replication } = config.cassandra;
  return [
    ['CASSANDRA_CONTACT_POINTS', contactPoints.join(',')],
    ['CASSANDRA_PORT', String(port)],
    ['CASSANDRA_DATACENTER', datacenter],
    ['CASSANDRA_USERNAME', username ?? '(none)'],
    ...(password === undefined ? [] : ([['CASSANDRA_PASSWORD', SECRET_SET]] as [string, string][])),
    ['CASSANDRA_SSL', tls === undefined ? 'false' : 'true'],
    ...(tls === undefined ? [] : tlsRows('CASSANDRA_SSL', tls)),
    [
      'replication',
      replication.class === 'SimpleStrategy'
        ? `SimpleStrategy, ${replication.factor} replica${replication.factor === 1 ? '' : 's'}`
        : `NetworkTopologyStrategy, ${replication.dataCenters.map((dc) => `${dc.name}:${dc.factor}`).join(',')}`,
    ],
  ];
}

/**
 * The client's settings as `broker-config` shows them: where it connects and how (protocol, mechanism,
 * user, certificate files, whether the server name is verified), never a password or a key.
 */
export function clientSettings(config: Config): [string, string][] {
  return [
    ['BUS', config.bus],
    ...(config.bus === 'kafka' ? kafkaRows(config) : ([['DATA_DIR', config.dataDir]] as [string, string][])),
    ['STORE', config.store],
    ...(config.store === 'cassandra' ? cassandraRows(config) : []),
    ['PARTITIONS', String(config.partitions)],
  ];
}

/** The CLI's own settings, then the cluster and the configuration of its broker. */
export async function brokerConfig(context: CommandContext, options: JsonOption = {}): Promise<void> {
  if (options.json === true) {
    const admin = await context.session.admin('broker-config');
    return printJson(context, {
      client: Object.fromEntries(clientSettings(context.config)),
      cluster: await admin.describeCluster(),
      broker: await admin.brokerConfig(),
    });
  }
  // The client's side first: it is what to check when the broker cannot be reached.
  context.out.line('Client configuration:');
  context.out.lines(table(['setting', 'value'], clientSettings(context.config)).map((line) => `  ${line}`));
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
