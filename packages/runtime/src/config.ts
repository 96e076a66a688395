import { accessSync, constants, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Secret } from '@kafka-monitor/domain';

export const SERVICE_NAMES = ['order-processor', 'query-processor', 'registry-processor', 'monitor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** The port of a process's health and metrics server when METRICS_PORT is unset and no monitor serves them. */
export const DEFAULT_METRICS_PORT = 9464;
/** The `cluster_name` of the lag metrics when KAFKA_CLUSTER_NAME is unset. */
export const DEFAULT_KAFKA_CLUSTER_NAME = 'kafka-monitor';

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** TLS settings of a client: PEM files by path (read by the adapter), and whether the server name is checked. */
export interface TlsSettings {
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly keyPassword: Secret | undefined;
  /** The server's certificate must name the host it was reached at; off only when set to false. */
  readonly verifyHostname: boolean;
}

export interface KafkaSecurity {
  readonly protocol: KafkaSecurityProtocol;
  /** Set exactly when the protocol is SASL_PLAINTEXT or SASL_SSL. */
  readonly sasl:
    { readonly mechanism: KafkaSaslMechanism; readonly username: string; readonly password: Secret } | undefined;
  /** Set exactly when the protocol is SSL or SASL_SSL. */
  readonly tls: TlsSettings | undefined;
}

/** Replicas of the keyspaces: one factor for a single data centre, or a factor per data centre. */
export type CassandraReplication =
  | { readonly class: 'SimpleStrategy'; readonly factor: number }
  | { readonly class: 'NetworkTopologyStrategy'; readonly dataCenters: readonly { name: string; factor: number }[] };

export interface Config {
  readonly bus: 'embedded' | 'kafka';
  readonly store: 'sqlite' | 'cassandra';
  readonly dataDir: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaSecurity: KafkaSecurity;
  /**
   * Put before every topic and consumer group name on the bus, so several deployments (or test runs)
   * can share one Kafka cluster; each sees only its own names. Empty by default.
   */
  readonly busPrefix: string;
  /** KAFKA_CLUSTER_NAME: the `cluster_name` label of the lag metrics (kafka-lag-exporter's names). */
  readonly kafkaClusterName: string;
  readonly cassandra: {
    readonly contactPoints: readonly string[];
    readonly port: number;
    readonly datacenter: string;
    readonly replicationFactor: number;
    readonly replication: CassandraReplication;
    readonly username: string | undefined;
    readonly password: Secret | undefined;
    /** Set when CASSANDRA_SSL=true. */
    readonly tls: TlsSettings | undefined;
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
  /** LOG_FORMAT; undefined when unset: readable lines on a terminal, JSON lines otherwise. */
  readonly logFormat: LogFormat | undefined;
  readonly processorId: string;
  readonly services: readonly ServiceName[];
  readonly partitions: number;
  readonly timelineRetention: number;
  readonly tracing: TracingSettings;
}

/** Traces over OTLP/HTTP: on exactly when an endpoint is set. */
export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT, the collector's base URL (spans go to `<endpoint>/v1/traces`). */
  readonly endpoint: string | undefined;
  /** OTEL_SERVICE_NAME; each process names itself when unset. */
  readonly serviceName: string | undefined;
  /** OTEL_EXPORTER_OTLP_HEADERS (`name=value,…`, values percent-encoded), sent with every export. */
  readonly headers: readonly { readonly name: string; readonly value: Secret }[];
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

/** Reads variables and records what is wrong with them, so every problem is reported together. */
function environmentReader(env: Environment, problems: string[]) {
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
  const flag = (name: string, fallback: boolean): boolean =>
    oneOf(name, ['true', 'false'], fallback ? 'true' : 'false') === 'true';
  /** A path that must name a readable file; the file itself is read by whoever needs its content. */
  function file(name: string): string | undefined {
    const path = text(name);
    if (path === undefined) return undefined;
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      problems.push(`${name}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    return path;
  }
  /**
   * A secret from `NAME` or from the file named by `NAME_FILE` (the Docker and Kubernetes secrets
   * convention), never both. One trailing newline of the file is dropped, as editors add one. The
   * value is never trimmed otherwise (spaces may belong to a password) and never echoed in a problem.
   */
  function secret(name: string): Secret | undefined {
    const direct = env[name];
    const fileName = `${name}_FILE`;
    const path = text(fileName);
    if (direct !== undefined && direct !== '' && path !== undefined) {
      problems.push(`${name} and ${fileName} are both set; set only one`);
      return undefined;
    }
    if (path === undefined) return direct === undefined || direct === '' ? undefined : new Secret(direct);
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(`${fileName}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return undefined;
    }
    const value = content.replace(/\r?\n$/, '');
    if (value === '') {
      problems.push(`${fileName}: '${path}' is empty`);
      return undefined;
    }
    return new Secret(value);
  }
  const list = (value: string | undefined): string[] =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return { text, oneOf, number, flag, file, secret, list, problems };
}

type Reader = ReturnType<typeof environmentReader>;

/** Mutual TLS needs both halves; a key password without a key means nothing. */
function tlsSettings(read: Reader, prefix: 'KAFKA_SSL' | 'CASSANDRA_SSL'): TlsSettings {
  const certFile = read.file(`${prefix}_CERT_FILE`);
  const keyFile = read.file(`${prefix}_KEY_FILE`);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    read.problems.push(`${prefix}_CERT_FILE and ${prefix}_KEY_FILE go together (mutual TLS): set both or neither`);
  }
  const keyPassword = prefix === 'KAFKA_SSL' ? read.secret('KAFKA_SSL_KEY_PASSWORD') : undefined;
  if (keyPassword !== undefined && keyFile === undefined) {
    read.problems.push('KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY_FILE');
  }
  return {
    caFile: read.file(`${prefix}_CA_FILE`),
    certFile,
    keyFile,
    keyPassword,
    verifyHostname: read.flag(`${prefix}_VERIFY_HOSTNAME`, true),
  };
}

/** Variables of a feature that is off are a mistake worth a problem: the operator believes they apply. */
function refuseUnused(read: Reader, names: readonly string[], because: string): void {
  const set = names.filter((name) => read.text(name) !== undefined);
  if (set.length > 0) read.problems.push(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${because}`);
}

const KAFKA_SASL_VARIABLES = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
];
const KAFKA_TLS_VARIABLES = [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD_FILE',
  'KAFKA_SSL_VERIFY_HOSTNAME',
];

function kafkaSecurity(read: Reader): KafkaSecurity {
  const protocol = read.oneOf('KAFKA_SECURITY_PROTOCOL', KAFKA_SECURITY_PROTOCOLS, 'PLAINTEXT');
  const usesSasl = protocol.startsWith('SASL_');
  const usesTls = protocol.endsWith('SSL');
  if (!usesSasl)
    refuseUnused(
      read,
      KAFKA_SASL_VARIABLES,
      `KAFKA_SECURITY_PROTOCOL is ${protocol} (SASL needs SASL_PLAINTEXT or SASL_SSL)`,
    );
  if (!usesTls)
    refuseUnused(read, KAFKA_TLS_VARIABLES, `KAFKA_SECURITY_PROTOCOL is ${protocol} (TLS needs SSL or SASL_SSL)`);
  return {
    protocol,
    sasl: usesSasl ? kafkaSasl(read, protocol) : undefined,
    tls: usesTls ? tlsSettings(read, 'KAFKA_SSL') : undefined,
  };
}

function kafkaSasl(read: Reader, protocol: KafkaSecurityProtocol): KafkaSecurity['sasl'] {
  const given = read.text('KAFKA_SASL_MECHANISM');
  const mechanism = KAFKA_SASL_MECHANISMS.find((m) => m === given?.toUpperCase());
  if (given === undefined) {
    read.problems.push(
      `KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=${protocol}: one of ${KAFKA_SASL_MECHANISMS.join(', ')}`,
    );
  } else if (mechanism === undefined) {
    read.problems.push(`KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}; got '${given}'`);
  }
  const username = read.text('KAFKA_SASL_USERNAME');
  if (username === undefined)
    read.problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
  const password = read.secret('KAFKA_SASL_PASSWORD');
  if (password === undefined && read.text('KAFKA_SASL_PASSWORD_FILE') === undefined) {
    read.problems.push(
      `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SECURITY_PROTOCOL=${protocol}`,
    );
  }
  if (mechanism === undefined || username === undefined || password === undefined) return undefined;
  return { mechanism, username, password };
}

function cassandraCredentials(read: Reader): { username: string | undefined; password: Secret | undefined } {
  const username = read.text('CASSANDRA_USERNAME');
  const password = read.secret('CASSANDRA_PASSWORD');
  const passwordNamed = password !== undefined || read.text('CASSANDRA_PASSWORD_FILE') !== undefined;
  if (username !== undefined && !passwordNamed) {
    read.problems.push('CASSANDRA_USERNAME is set without CASSANDRA_PASSWORD or CASSANDRA_PASSWORD_FILE');
  }
  if (username === undefined && passwordNamed) {
    read.problems.push('CASSANDRA_PASSWORD (or its _FILE) is set without CASSANDRA_USERNAME');
  }
  return { username, password };
}

function cassandraTls(read: Reader): TlsSettings | undefined {
  if (read.flag('CASSANDRA_SSL', false)) return tlsSettings(read, 'CASSANDRA_SSL');
  refuseUnused(
    read,
    ['CASSANDRA_SSL_CA_FILE', 'CASSANDRA_SSL_CERT_FILE', 'CASSANDRA_SSL_KEY_FILE', 'CASSANDRA_SSL_VERIFY_HOSTNAME'],
    'CASSANDRA_SSL is not true',
  );
  return undefined;
}

/** `dc1:3,dc2:2`: NetworkTopologyStrategy with those factors; unset: SimpleStrategy with one factor. */
function cassandraReplication(read: Reader, factor: number, localDataCenter: string): CassandraReplication {
  const value = read.text('CASSANDRA_REPLICATION');
  if (value === undefined) return { class: 'SimpleStrategy', factor };
  if (read.text('CASSANDRA_REPLICATION_FACTOR') !== undefined) {
    read.problems.push('CASSANDRA_REPLICATION and CASSANDRA_REPLICATION_FACTOR are both set; set only one');
  }
  const dataCenters: { name: string; factor: number }[] = [];
  for (const entry of read.list(value)) {
    const match = /^([A-Za-z0-9_.-]{1,64}):(\d{1,2})$/.exec(entry);
    const name = match?.[1];
    const count = Number(match?.[2]);
    if (name === undefined || count < 1 || count > 20) {
      read.problems.push(
        `CASSANDRA_REPLICATION must be datacentre:replicas pairs such as 'dc1:3,dc2:2' (replicas 1 to 20); got '${entry}'`,
      );
    } else if (dataCenters.some((dc) => dc.name === name)) {
      read.problems.push(`CASSANDRA_REPLICATION names data centre '${name}' twice`);
    } else {
      dataCenters.push({ name, factor: count });
    }
  }
  if (dataCenters.length > 0 && !dataCenters.some((dc) => dc.name === localDataCenter)) {
    read.problems.push(
      `CASSANDRA_REPLICATION puts no replica in CASSANDRA_DATACENTER '${localDataCenter}', where this process reads and writes`,
    );
  }
  return { class: 'NetworkTopologyStrategy', dataCenters };
}

const OTLP_HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `name=value,…` with percent-encoded values (the OTLP exporter convention); problems never quote a value. */
function otlpHeaders(read: Reader): TracingSettings['headers'] {
  const raw = read.secret('OTEL_EXPORTER_OTLP_HEADERS');
  if (raw === undefined) return [];
  const headers: { name: string; value: Secret }[] = [];
  for (const [index, entry] of raw.reveal().split(',').entries()) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const name = entry.slice(0, Math.max(at, 0)).trim();
    let value: string | undefined;
    try {
      value = at < 0 ? undefined : decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      value = undefined;
    }
    if (!OTLP_HEADER_NAME.test(name) || value === undefined) {
      read.problems.push(
        `OTEL_EXPORTER_OTLP_HEADERS entry ${index + 1} is not name=value (a header name and a percent-encoded value)`,
      );
    } else {
      headers.push({ name, value: new Secret(value) });
    }
  }
  return headers;
}

function tracingSettings(read: Reader): TracingSettings {
  const endpoint = read.text('OTEL_EXPORTER_OTLP_ENDPOINT');
  const headers = otlpHeaders(read);
  if (endpoint === undefined) {
    if (headers.length > 0)
      read.problems.push('OTEL_EXPORTER_OTLP_HEADERS is set but OTEL_EXPORTER_OTLP_ENDPOINT is not');
  } else if (!/^https?:\/\/[^/\s]+/.test(endpoint) || !URL.canParse(endpoint)) {
    read.problems.push('OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, such as http://collector:4318');
  }
  return { endpoint, serviceName: read.text('OTEL_SERVICE_NAME'), headers };
}

/**
 * Reads the environment once, checks every variable and reports all problems together, so a bad
 * deployment fails at start with one clear message instead of later with a confusing one.
 */
// Environment variables are read here and nowhere else.
export function loadConfig(env: Environment = process.env): Config {
  const problems: string[] = [];
  const read = environmentReader(env, problems);
  const { text, oneOf, number, list } = read;

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
  const kafkaClusterName = text('KAFKA_CLUSTER_NAME') ?? DEFAULT_KAFKA_CLUSTER_NAME;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(kafkaClusterName)) {
    problems.push(
      `KAFKA_CLUSTER_NAME must be letters, digits, '.', '_' or '-' (at most 64); got '${kafkaClusterName}'`,
    );
  }
  const services = list(text('SERVICES') ?? SERVICE_NAMES.join(','));
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0)
    problems.push(`SERVICES has unknown entries ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  if (services.length === 0) problems.push('SERVICES must name at least one service');

  const contactPoints = list(text('CASSANDRA_CONTACT_POINTS') ?? text('CASSANDRA_HOST') ?? '127.0.0.1');
  const datacenter = text('CASSANDRA_DATACENTER') ?? 'datacenter1';
  const replicationFactor = number('CASSANDRA_REPLICATION_FACTOR', 1, 1, 20, true);
  const config: Config = {
    bus: oneOf('BUS', ['embedded', 'kafka'], 'embedded'),
    store: oneOf('STORE', ['sqlite', 'cassandra'], 'sqlite'),
    dataDir: resolve(text('DATA_DIR') ?? './data'),
    kafkaBrokers: list(text('KAFKA_BROKERS') ?? text('KAFKA_BOOTSTRAP_SERVERS') ?? 'localhost:9092'),
    kafkaSecurity: kafkaSecurity(read),
    busPrefix,
    kafkaClusterName,
    cassandra: {
      contactPoints,
      port: number('CASSANDRA_PORT', 9042, 1, 65535, true),
      datacenter,
      replicationFactor,
      replication: cassandraReplication(read, replicationFactor, datacenter),
      ...cassandraCredentials(read),
      tls: cassandraTls(read),
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
    logFormat: text('LOG_FORMAT') === undefined ? undefined : oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    processorId: text('PROCESSOR_ID') ?? `${hostname()}-${process.pid}`,
    services: [...new Set(services)] as ServiceName[],
    partitions: number('PARTITIONS', 3, 1, 1_000, true),
    timelineRetention: number('TIMELINE_RETENTION', 10_000, 1_000, 10_000_000, true),
    tracing: tracingSettings(read),
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
