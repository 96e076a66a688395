import { hostname } from 'node:os';
import { resolve } from 'node:path';

export const SERVICE_NAMES = ['order-processor', 'query-processor', 'registry-processor', 'monitor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** The port of a process's health and metrics server when METRICS_PORT is unset and no monitor serves them. */
export const DEFAULT_METRICS_PORT = 9464;

export interface Config {
  readonly bus: 'embedded' | 'kafka';
  readonly store: 'sqlite' | 'cassandra';
  readonly dataDir: string;
  readonly kafkaBrokers: readonly string[];
  /**
   * Put before every topic and consumer group name on the bus, so several deployments (or test runs)
   * can share one Kafka cluster; each sees only its own names. Empty by default.
   */
  readonly busPrefix: string;
  readonly cassandra: {
    readonly contactPoints: readonly string[];
    readonly port: number;
    readonly datacenter: string;
    readonly replicationFactor: number;
    /** Put before the keyspace names, so several deployments (or test runs) can share one cluster. */
    readonly keyspacePrefix: string;
  };
  readonly port: number;
  readonly host: string;
  /**
   * METRICS_PORT: where the process serves /health/live, /health/ready and /metrics on its own (0 = any
   * free port); undefined when unset (see `metricsPortOf`).
   */
  readonly metricsPort: number | undefined;
  readonly orderRate: number;
  readonly anomalyRate: number;
  readonly monitorApiToken: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly processorId: string;
  readonly services: readonly ServiceName[];
  readonly partitions: number;
  readonly timelineRetention: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads the environment once, checks every variable and reports all problems together, so a bad
 * deployment fails at start with one clear message instead of later with a confusing one.
 */
// Environment variables are read here and nowhere else.
export function loadConfig(env: Environment = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = text(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}; got '${value}'`);
    return fallback;
  }
  function number(name: string, fallback: number, min: number, max: number, integer: boolean): number {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)) || parsed < min || parsed > max) {
      problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; got '${value}'`);
      return fallback;
    }
    return parsed;
  }
  const list = (value: string | undefined): string[] =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);

  const keyspacePrefix = text('CASSANDRA_KEYSPACE_PREFIX');
  if (keyspacePrefix !== undefined && !/^[a-z][a-z0-9_]{0,20}$/.test(keyspacePrefix)) {
    problems.push(
      `CASSANDRA_KEYSPACE_PREFIX must be lower-case letters, digits and _ (at most 21); got '${keyspacePrefix}'`,
    );
  }
  const busPrefix = text('BUS_PREFIX') ?? '';
  // Kafka allows letters, digits, '.', '_' and '-' in topic names, and at most 249 characters.
  if (!/^[A-Za-z0-9._-]{0,64}$/.test(busPrefix)) {
    problems.push(`BUS_PREFIX must be letters, digits, '.', '_' or '-' (at most 64); got '${busPrefix}'`);
  }
  const services = list(text('SERVICES') ?? SERVICE_NAMES.join(','));
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0)
    problems.push(`SERVICES has unknown entries ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  if (services.length === 0) problems.push('SERVICES must name at least one service');

  const contactPoints = list(text('CASSANDRA_CONTACT_POINTS') ?? text('CASSANDRA_HOST') ?? '127.0.0.1');
  const config: Config = {
    bus: oneOf('BUS', ['embedded', 'kafka'], 'embedded'),
    store: oneOf('STORE', ['sqlite', 'cassandra'], 'sqlite'),
    dataDir: resolve(text('DATA_DIR') ?? './data'),
    kafkaBrokers: list(text('KAFKA_BROKERS') ?? text('KAFKA_BOOTSTRAP_SERVERS') ?? 'localhost:9092'),
    busPrefix,
    cassandra: {
      contactPoints,
      port: number('CASSANDRA_PORT', 9042, 1, 65535, true),
      datacenter: text('CASSANDRA_DATACENTER') ?? 'datacenter1',
      replicationFactor: number('CASSANDRA_REPLICATION_FACTOR', 1, 1, 20, true),
      keyspacePrefix: text('CASSANDRA_KEYSPACE_PREFIX') ?? '',
    },
    port: number('PORT', 3000, 0, 65535, true),
    host: text('HOST') ?? '127.0.0.1',
    metricsPort: text('METRICS_PORT') === undefined ? undefined : number('METRICS_PORT', 0, 0, 65535, true),
    orderRate: number('ORDER_RATE', 10, 0, 100_000, false),
    anomalyRate: number('ANOMALY_RATE', 0.1, 0, 1, false),
    monitorApiToken: text('MONITOR_API_TOKEN'),
    corsOrigins: list(text('CORS_ORIGINS')),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    processorId: text('PROCESSOR_ID') ?? `${hostname()}-${process.pid}`,
    services: [...new Set(services)] as ServiceName[],
    partitions: number('PARTITIONS', 3, 1, 1_000, true),
    timelineRetention: number('TIMELINE_RETENTION', 10_000, 1_000, 10_000_000, true),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * The port of the process's own health and metrics server, or undefined for none: a process running the
 * monitor serves the three endpoints on its API port and opens another only when METRICS_PORT is set.
 */
export function metricsPortOf(config: Config, services: readonly ServiceName[]): number | undefined {
  if (config.metricsPort !== undefined) return config.metricsPort;
  return services.includes('monitor') ? undefined : DEFAULT_METRICS_PORT;
}
