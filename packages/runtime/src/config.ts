import { accessSync, constants, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  REVIEW_EXPIRY_POLICIES,
  Secret,
  ruleLimitProblems,
  toCents,
  type ReviewExpiryPolicy,
  type RuleLimits,
} from '@kafka-monitor/domain';

export const SERVICE_NAMES = ['order-processor', 'query-processor', 'registry-processor', 'monitor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** The port of a process's health and metrics server when METRICS_PORT is unset and no monitor serves them. */
export const DEFAULT_METRICS_PORT = 9464;

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/**
 * One environment variable the configuration reads. `default` is the value used when it is unset (the
 * parser takes its fallbacks from here), or null when unset means "none" or is decided elsewhere, as
 * `unset` then says. A secret's value is never printed, logged or echoed in a problem.
 */
export interface ConfigVariable {
  readonly name: string;
  readonly default: string | null;
  /** What unset means when there is no fixed default ("system CAs", "host-pid"). */
  readonly unset?: string;
  readonly description: string;
  readonly secret: boolean;
}

/**
 * Every variable loadConfig reads, and nothing else: the parser can only ask for names listed here,
 * the CLI's environment help is printed from it, and a test checks the README's table against it.
 */
export const CONFIG_VARIABLES = [
  { name: 'BUS', default: 'embedded', description: 'embedded (the SQLite log in DATA_DIR) or kafka', secret: false },
  { name: 'STORE', default: 'sqlite', description: 'sqlite or cassandra', secret: false },
  {
    name: 'DATA_DIR',
    default: './data',
    description: 'where the embedded log (log.db) and the SQLite store (store.db) live',
    secret: false,
  },
  {
    name: 'KAFKA_BROKERS',
    default: 'localhost:9092',
    description: 'comma-separated host:port list of Kafka brokers (BUS=kafka)',
    secret: false,
  },
  {
    name: 'KAFKA_BOOTSTRAP_SERVERS',
    default: null,
    unset: 'KAFKA_BROKERS',
    description: 'read when KAFKA_BROKERS is unset',
    secret: false,
  },
  {
    name: 'KAFKA_PARTITIONS_IN_PARALLEL',
    default: '1',
    description:
      'BUS=kafka: batches of different partitions one consumer handles at once (1 to 64; each partition stays in order)',
    secret: false,
  },
  {
    name: 'KAFKA_SECURITY_PROTOCOL',
    default: 'PLAINTEXT',
    description: "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (Kafka's security.protocol)",
    secret: false,
  },
  {
    name: 'KAFKA_SASL_MECHANISM',
    default: null,
    description: 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; required with SASL_*',
    secret: false,
  },
  { name: 'KAFKA_SASL_USERNAME', default: null, description: 'SASL user; required with SASL_*', secret: false },
  { name: 'KAFKA_SASL_PASSWORD', default: null, description: 'SASL password; required with SASL_*', secret: true },
  {
    name: 'KAFKA_SASL_PASSWORD_FILE',
    default: null,
    description: 'file holding KAFKA_SASL_PASSWORD instead',
    secret: false,
  },
  {
    name: 'KAFKA_SSL_CA_FILE',
    default: null,
    unset: 'system CAs',
    description: "PEM CA bundle the brokers' certificates chain to (SSL, SASL_SSL)",
    secret: false,
  },
  {
    name: 'KAFKA_SSL_CERT_FILE',
    default: null,
    description: 'client certificate, PEM, for mutual TLS (with KAFKA_SSL_KEY_FILE)',
    secret: false,
  },
  {
    name: 'KAFKA_SSL_KEY_FILE',
    default: null,
    description: 'client key, PEM, for mutual TLS (with KAFKA_SSL_CERT_FILE)',
    secret: false,
  },
  {
    name: 'KAFKA_SSL_KEY_PASSWORD',
    default: null,
    description: 'passphrase of an encrypted client key',
    secret: true,
  },
  {
    name: 'KAFKA_SSL_KEY_PASSWORD_FILE',
    default: null,
    description: 'file holding KAFKA_SSL_KEY_PASSWORD instead',
    secret: false,
  },
  {
    name: 'KAFKA_SSL_VERIFY_HOSTNAME',
    default: 'true',
    description: "false skips the check that the broker's certificate names its address (the chain is still verified)",
    secret: false,
  },
  {
    name: 'BUS_PREFIX',
    default: '',
    description: 'put before every topic and group name (several deployments on one Kafka)',
    secret: false,
  },
  {
    name: 'KAFKA_CLUSTER_NAME',
    default: 'kafka-monitor',
    description: 'the cluster_name label of the consumer-lag metrics',
    secret: false,
  },
  {
    name: 'CASSANDRA_CONTACT_POINTS',
    default: '127.0.0.1',
    description: 'comma-separated Cassandra nodes (STORE=cassandra)',
    secret: false,
  },
  {
    name: 'CASSANDRA_HOST',
    default: null,
    unset: 'CASSANDRA_CONTACT_POINTS',
    description: 'read when CASSANDRA_CONTACT_POINTS is unset',
    secret: false,
  },
  { name: 'CASSANDRA_PORT', default: '9042', description: 'native protocol port', secret: false },
  {
    name: 'CASSANDRA_DATACENTER',
    default: 'datacenter1',
    description: 'local data centre, where this process reads and writes',
    secret: false,
  },
  {
    name: 'CASSANDRA_USERNAME',
    default: null,
    description: 'PasswordAuthenticator user (with a password)',
    secret: false,
  },
  {
    name: 'CASSANDRA_PASSWORD',
    default: null,
    description: 'PasswordAuthenticator password (with a user)',
    secret: true,
  },
  {
    name: 'CASSANDRA_PASSWORD_FILE',
    default: null,
    description: 'file holding CASSANDRA_PASSWORD instead',
    secret: false,
  },
  { name: 'CASSANDRA_SSL', default: 'false', description: 'true: TLS to the native port', secret: false },
  {
    name: 'CASSANDRA_SSL_CA_FILE',
    default: null,
    unset: 'system CAs',
    description: "PEM CA bundle the nodes' certificates chain to",
    secret: false,
  },
  {
    name: 'CASSANDRA_SSL_CERT_FILE',
    default: null,
    description: 'client certificate, PEM (with CASSANDRA_SSL_KEY_FILE)',
    secret: false,
  },
  {
    name: 'CASSANDRA_SSL_KEY_FILE',
    default: null,
    description: 'client key, PEM (with CASSANDRA_SSL_CERT_FILE)',
    secret: false,
  },
  {
    name: 'CASSANDRA_SSL_VERIFY_HOSTNAME',
    default: 'true',
    description: "false skips the check that a node's certificate names the address it was reached at",
    secret: false,
  },
  {
    name: 'CASSANDRA_REPLICATION',
    default: null,
    unset: 'SimpleStrategy',
    description: 'dc1:3,dc2:2: NetworkTopologyStrategy with these replicas per data centre',
    secret: false,
  },
  {
    name: 'CASSANDRA_REPLICATION_FACTOR',
    default: '1',
    description: 'SimpleStrategy replicas when CASSANDRA_REPLICATION is unset',
    secret: false,
  },
  {
    name: 'CASSANDRA_KEYSPACE_PREFIX',
    default: '',
    description: 'put before the keyspace names (several deployments on one cluster)',
    secret: false,
  },
  { name: 'PORT', default: '3000', description: 'port of the monitor (dashboard and API)', secret: false },
  { name: 'HOST', default: '127.0.0.1', description: 'address the monitor listens on', secret: false },
  {
    name: 'METRICS_PORT',
    default: null,
    unset: '9464; none in a process running the monitor',
    description: "port of the process's /health/* and /metrics (0 = any free port)",
    secret: false,
  },
  { name: 'ORDER_RATE', default: '10', description: 'generated orders per second (0 = off)', secret: false },
  {
    name: 'ANOMALY_RATE',
    default: '0.1',
    description: 'fraction of generated orders that break one rule',
    secret: false,
  },
  {
    name: 'MONITOR_API_TOKEN',
    default: null,
    description: "bearer token the API's mutating routes require when set",
    secret: true,
  },
  {
    name: 'CORS_ORIGINS',
    default: '',
    unset: 'same origin only',
    description: 'comma-separated origins allowed to call the API from a browser',
    secret: false,
  },
  {
    name: 'LOG_LEVEL',
    default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent',
    secret: false,
  },
  {
    name: 'LOG_FORMAT',
    default: null,
    unset: 'pretty on a terminal, else json',
    description: 'pretty: a start-up banner and readable lines; json: one JSON object per line',
    secret: false,
  },
  {
    name: 'PROCESSOR_ID',
    default: null,
    unset: 'host-pid',
    description: 'instance id in logs and status',
    secret: false,
  },
  {
    name: 'SERVICES',
    default: 'order-processor,query-processor,registry-processor,monitor',
    description: 'the services this process runs',
    secret: false,
  },
  {
    name: 'PARTITIONS',
    default: '3',
    description: 'partitions of orders and registry when the topics are created',
    secret: false,
  },
  { name: 'TIMELINE_RETENTION', default: '10000', description: 'newest timeline entries kept', secret: false },
  {
    name: 'REVIEW_SLA_MINUTES',
    default: '30',
    description: 'minutes a pending order may wait for review before it is overdue',
    secret: false,
  },
  {
    name: 'REVIEW_EXPIRY',
    default: 'off',
    description: 'deny, accept or off: what the registry decides for an overdue order (reason "expired")',
    secret: false,
  },
  {
    name: 'RULE_MIN_QUANTITY',
    default: '1',
    description: 'minimum-quantity: an order needs at least this quantity (else denied)',
    secret: false,
  },
  {
    name: 'RULE_MAX_QUANTITY',
    default: '1000',
    description: 'maximum-quantity: a larger quantity goes to review',
    secret: false,
  },
  {
    name: 'RULE_MIN_TOTAL',
    default: '1.00',
    description: 'minimum-total: a smaller total is denied (amount, 2 decimals)',
    secret: false,
  },
  {
    name: 'RULE_MAX_TOTAL',
    default: '100000.00',
    description: 'maximum-total: a larger total goes to review (amount, 2 decimals)',
    secret: false,
  },
  {
    name: 'RULE_PRICE_TOLERANCE',
    default: '0.01',
    description: 'price-consistency: largest |total - quantity x unit price| that passes (amount)',
    secret: false,
  },
  {
    name: 'DISK_WARN_FREE_MB',
    default: '1024',
    description: 'health is degraded when DATA_DIR has less free space (MiB; 0 = never)',
    secret: false,
  },
  {
    name: 'LOG_RETENTION_MS',
    default: '604800000',
    description:
      'embedded log: delete messages older than this (7 days; -1 = unlimited), unless the topic sets retention.ms',
    secret: false,
  },
  {
    name: 'LOG_RETENTION_BYTES',
    default: '1073741824',
    description:
      'embedded log: bytes kept per partition (1 GiB; -1 = unlimited), unless the topic sets retention.bytes',
    secret: false,
  },
  {
    name: 'LOG_RETENTION_CHECK_INTERVAL_MS',
    default: '30000',
    description: 'embedded log: how often retention deletes what it allows, in the background',
    secret: false,
  },
  {
    name: 'IDEMPOTENCY_KEY_RETENTION_MS',
    default: '86400000',
    description:
      'store: forget an Idempotency-Key of POST /api/orders this long after its first use (24 h; -1 = never; at least 60000)',
    secret: false,
  },
  {
    name: 'PRODUCED_ORDER_RETENTION_MS',
    default: '604800000',
    description:
      'store: delete the row of a produced order this long after its timestamp (7 days; -1 = never; at least IDEMPOTENCY_KEY_RETENTION_MS)',
    secret: false,
  },
  {
    name: 'DEAD_LETTER_RETENTION_MS',
    default: '2592000000',
    description:
      'store: delete a redriven or discarded dead letter and its audit trail this long after it was resolved (30 days; -1 = never); pending ones are kept',
    secret: false,
  },
  {
    name: 'DECISION_RETENTION_MS',
    default: '604800000',
    description:
      "store: forget a decision's request record (GET /api/status-requests/{id}, its journey position) this long after it was decided (7 days; -1 = never; at least 60000)",
    secret: false,
  },
  {
    name: 'CHANGE_FEED_RETENTION_MS',
    default: '86400000',
    description:
      'store: delete changes of the registry change feed (what /api/stream resumes from by Last-Event-ID) older than this (24 h; -1 = never)',
    secret: false,
  },
  {
    name: 'STORE_RETENTION_CHECK_INTERVAL_MS',
    default: '60000',
    description: 'store: how often the processes that own those rows delete what the store retentions allow',
    secret: false,
  },
  {
    name: 'TIMELINE_TTL_MS',
    default: '604800000',
    description:
      'Cassandra: TTL of a timeline row (7 days; -1 = kept); the embedded store keeps TIMELINE_RETENTION entries',
    secret: false,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: null,
    unset: 'no tracing',
    description: 'OTLP/HTTP collector URL; traces go to <url>/v1/traces',
    secret: false,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS',
    default: null,
    description: 'name=value,... (percent-encoded values) sent with every export',
    secret: true,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS_FILE',
    default: null,
    description: 'file holding OTEL_EXPORTER_OTLP_HEADERS instead',
    secret: false,
  },
  {
    name: 'OTEL_SERVICE_NAME',
    default: null,
    unset: 'per process',
    description: "service.name of the process's spans",
    secret: false,
  },
] as const satisfies readonly ConfigVariable[];

export type ConfigVariableName = (typeof CONFIG_VARIABLES)[number]['name'];
/** Variables that may instead be given as a file named by `<name>_FILE`. */
type FileBackedName = {
  [N in ConfigVariableName]: `${N}_FILE` extends ConfigVariableName ? N : never;
}[ConfigVariableName];

const VARIABLES: ReadonlyMap<string, ConfigVariable> = new Map(CONFIG_VARIABLES.map((v) => [v.name, v]));

/** The value the parser uses when the variable is unset; undefined when unset means none. */
function defaultOf(name: ConfigVariableName): string | undefined {
  return VARIABLES.get(name)?.default ?? undefined;
}

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
  /** KAFKA_PARTITIONS_IN_PARALLEL: batches of different partitions a consumer handles at once. */
  readonly kafkaPartitionsInParallel: number;
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
  /** REVIEW_SLA_MINUTES: how long a pending order may wait for review before it counts as overdue. */
  readonly reviewSlaMinutes: number;
  /** REVIEW_EXPIRY: what the registry processor decides for an overdue order, or nothing (off). */
  readonly reviewExpiry: ReviewExpiryPolicy;
  /** RULE_*: the thresholds of the business rules (defaults: the specification's). */
  readonly ruleLimits: RuleLimits;
  /** DISK_WARN_FREE_MB in bytes: below this much free space in DATA_DIR, health is degraded (0: never). */
  readonly diskWarnFreeBytes: number;
  /** The embedded log's default retention (Kafka's log.retention.ms / log.retention.bytes; -1 unlimited). */
  readonly logRetention: { readonly ms: number; readonly bytes: number; readonly checkIntervalMs: number };
  /** How long the store keeps what grows with orders and is no business record (-1: kept); docs/storage.md. */
  readonly storeRetention: StoreRetentionSettings;
  /** TIMELINE_TTL_MS: Cassandra's timeline rows live this long (-1: kept). */
  readonly timelineTtlMs: number;
  readonly tracing: TracingSettings;
}

export interface StoreRetentionSettings {
  readonly idempotencyKeysMs: number;
  readonly producedOrdersMs: number;
  readonly resolvedDeadLettersMs: number;
  readonly decisionsMs: number;
  readonly changeFeedMs: number;
  readonly checkIntervalMs: number;
}

/** Cassandra's TTL limit (20 years); retentions that become TTLs stay below it. */
const MAX_TTL_MS = 630_720_000_000;
/** An idempotency key must outlive a client's retries: a minute is the shortest that still means one. */
const MIN_IDEMPOTENCY_KEY_RETENTION_MS = 60_000;

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
  /** The variable as set, trimmed; undefined when unset or blank. */
  const text = (name: ConfigVariableName): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  /** The variable as set, else the table's default. */
  const value = (name: ConfigVariableName): string | undefined => text(name) ?? defaultOf(name);
  function oneOf<T extends string>(name: ConfigVariableName, allowed: readonly T[]): T {
    const value = text(name);
    const fallback = defaultOf(name) as T;
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}; got '${value}'`);
    return fallback;
  }
  /** NaN stands for a variable without a default; callers only ask for such a one once it is set. */
  function number(name: ConfigVariableName, min: number, max: number, integer: boolean): number {
    const fallback = Number(defaultOf(name) ?? Number.NaN);
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)) || parsed < min || parsed > max) {
      problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; got '${value}'`);
      return fallback;
    }
    return parsed;
  }
  const flag = (name: ConfigVariableName): boolean => oneOf(name, ['true', 'false']) === 'true';
  /** A path that must name a readable file; the file itself is read by whoever needs its content. */
  function file(name: ConfigVariableName): string | undefined {
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
  function secret(name: FileBackedName): Secret | undefined {
    const direct = env[name];
    const fileName: ConfigVariableName = `${name}_FILE`;
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
  return { text, value, oneOf, number, flag, file, secret, list, problems };
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
    verifyHostname: read.flag(`${prefix}_VERIFY_HOSTNAME`),
  };
}

/** Variables of a feature that is off are a mistake worth a problem: the operator believes they apply. */
function refuseUnused(read: Reader, names: readonly ConfigVariableName[], because: string): void {
  const set = names.filter((name) => read.text(name) !== undefined);
  if (set.length > 0) read.problems.push(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${because}`);
}

const KAFKA_SASL_VARIABLES: readonly ConfigVariableName[] = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
];
const KAFKA_TLS_VARIABLES: readonly ConfigVariableName[] = [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD_FILE',
  'KAFKA_SSL_VERIFY_HOSTNAME',
];

function kafkaSecurity(read: Reader): KafkaSecurity {
  const protocol = read.oneOf('KAFKA_SECURITY_PROTOCOL', KAFKA_SECURITY_PROTOCOLS);
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
  if (read.flag('CASSANDRA_SSL')) return tlsSettings(read, 'CASSANDRA_SSL');
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

/** RULE_*: quantities are whole numbers, money an amount with two decimals, turned into cents. */
function ruleLimits(read: Reader): RuleLimits {
  const quantity = (name: ConfigVariableName): number => {
    const raw = read.value(name) ?? '';
    return /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  };
  const cents = (name: ConfigVariableName): number => {
    const raw = read.value(name) ?? '';
    return /^\d{1,13}(\.\d{1,2})?$/.test(raw) ? (toCents(Number(raw)) ?? Number.NaN) : Number.NaN;
  };
  const limits: RuleLimits = {
    minQuantity: quantity('RULE_MIN_QUANTITY'),
    maxQuantity: quantity('RULE_MAX_QUANTITY'),
    minTotalCents: cents('RULE_MIN_TOTAL'),
    maxTotalCents: cents('RULE_MAX_TOTAL'),
    priceToleranceCents: cents('RULE_PRICE_TOLERANCE'),
  };
  const got = (name: ConfigVariableName) => `; got '${read.value(name) ?? ''}'`;
  const problems = ruleLimitProblems(limits, {
    minQuantity: 'RULE_MIN_QUANTITY',
    maxQuantity: 'RULE_MAX_QUANTITY',
    minTotalCents: 'RULE_MIN_TOTAL',
    maxTotalCents: 'RULE_MAX_TOTAL',
    priceToleranceCents: 'RULE_PRICE_TOLERANCE',
  });
  for (const problem of problems) {
    const name = /^RULE_[A-Z_]+/.exec(problem)?.[0] as ConfigVariableName | undefined;
    read.problems.push(problem.includes('must not exceed') || name === undefined ? problem : problem + got(name));
  }
  return limits;
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
  const { text, value, oneOf, number, list } = read;

  const keyspacePrefix = text('CASSANDRA_KEYSPACE_PREFIX');
  if (keyspacePrefix !== undefined && !/^[a-z][a-z0-9_]{0,20}$/.test(keyspacePrefix)) {
    problems.push(
      `CASSANDRA_KEYSPACE_PREFIX must be lower-case letters, digits and _ (at most 21); got '${keyspacePrefix}'`,
    );
  }
  const busPrefix = value('BUS_PREFIX') ?? '';
  // Kafka allows letters, digits, '.', '_' and '-' in topic names, and at most 249 characters.
  if (!/^[A-Za-z0-9._-]{0,64}$/.test(busPrefix)) {
    problems.push(`BUS_PREFIX must be letters, digits, '.', '_' or '-' (at most 64); got '${busPrefix}'`);
  }
  const kafkaClusterName = value('KAFKA_CLUSTER_NAME') ?? '';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(kafkaClusterName)) {
    problems.push(
      `KAFKA_CLUSTER_NAME must be letters, digits, '.', '_' or '-' (at most 64); got '${kafkaClusterName}'`,
    );
  }
  const services = list(value('SERVICES'));
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0)
    problems.push(`SERVICES has unknown entries ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  if (services.length === 0) problems.push('SERVICES must name at least one service');

  const contactPoints = list(
    text('CASSANDRA_CONTACT_POINTS') ?? text('CASSANDRA_HOST') ?? defaultOf('CASSANDRA_CONTACT_POINTS'),
  );
  const datacenter = value('CASSANDRA_DATACENTER') ?? '';
  const replicationFactor = number('CASSANDRA_REPLICATION_FACTOR', 1, 20, true);
  const config: Config = {
    bus: oneOf('BUS', ['embedded', 'kafka']),
    store: oneOf('STORE', ['sqlite', 'cassandra']),
    dataDir: resolve(value('DATA_DIR') ?? '.'),
    kafkaBrokers: list(text('KAFKA_BROKERS') ?? text('KAFKA_BOOTSTRAP_SERVERS') ?? defaultOf('KAFKA_BROKERS')),
    kafkaSecurity: kafkaSecurity(read),
    busPrefix,
    kafkaClusterName,
    kafkaPartitionsInParallel: number('KAFKA_PARTITIONS_IN_PARALLEL', 1, 64, true),
    cassandra: {
      contactPoints,
      port: number('CASSANDRA_PORT', 1, 65535, true),
      datacenter,
      replicationFactor,
      replication: cassandraReplication(read, replicationFactor, datacenter),
      ...cassandraCredentials(read),
      tls: cassandraTls(read),
      keyspacePrefix: value('CASSANDRA_KEYSPACE_PREFIX') ?? '',
    },
    port: number('PORT', 0, 65535, true),
    host: value('HOST') ?? '',
    metricsPort: text('METRICS_PORT') === undefined ? undefined : number('METRICS_PORT', 0, 65535, true),
    orderRate: number('ORDER_RATE', 0, 100_000, false),
    anomalyRate: number('ANOMALY_RATE', 0, 1, false),
    monitorApiToken: text('MONITOR_API_TOKEN'),
    corsOrigins: list(value('CORS_ORIGINS')),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS),
    logFormat: text('LOG_FORMAT') === undefined ? undefined : oneOf('LOG_FORMAT', LOG_FORMATS),
    processorId: text('PROCESSOR_ID') ?? `${hostname()}-${process.pid}`,
    services: [...new Set(services)] as ServiceName[],
    partitions: number('PARTITIONS', 1, 1_000, true),
    timelineRetention: number('TIMELINE_RETENTION', 1_000, 10_000_000, true),
    // Up to a week: a longer SLA is no review deadline.
    reviewSlaMinutes: number('REVIEW_SLA_MINUTES', 1, 10_080, true),
    reviewExpiry: oneOf('REVIEW_EXPIRY', REVIEW_EXPIRY_POLICIES),
    ruleLimits: ruleLimits(read),
    diskWarnFreeBytes: number('DISK_WARN_FREE_MB', 0, 1_048_576, true) * 1024 * 1024,
    logRetention: {
      ms: number('LOG_RETENTION_MS', -1, Number.MAX_SAFE_INTEGER, true),
      bytes: number('LOG_RETENTION_BYTES', -1, Number.MAX_SAFE_INTEGER, true),
      checkIntervalMs: number('LOG_RETENTION_CHECK_INTERVAL_MS', 100, 86_400_000, true),
    },
    storeRetention: storeRetention(read, problems),
    timelineTtlMs: number('TIMELINE_TTL_MS', -1, MAX_TTL_MS, true),
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

/**
 * The store's retentions. A replayed POST /api/orders answers with the produced order its key names,
 * so produced orders are kept at least as long as the keys.
 */
function storeRetention(read: Reader, problems: string[]): StoreRetentionSettings {
  const settings = {
    idempotencyKeysMs: read.number('IDEMPOTENCY_KEY_RETENTION_MS', -1, MAX_TTL_MS, true),
    producedOrdersMs: read.number('PRODUCED_ORDER_RETENTION_MS', -1, MAX_TTL_MS, true),
    resolvedDeadLettersMs: read.number('DEAD_LETTER_RETENTION_MS', -1, Number.MAX_SAFE_INTEGER, true),
    decisionsMs: read.number('DECISION_RETENTION_MS', -1, MAX_TTL_MS, true),
    changeFeedMs: read.number('CHANGE_FEED_RETENTION_MS', -1, Number.MAX_SAFE_INTEGER, true),
    checkIntervalMs: read.number('STORE_RETENTION_CHECK_INTERVAL_MS', 100, 86_400_000, true),
  };
  // A decision record answers a request id decided once: a copy of its message in the log (a producer's
  // retry) must still find it, and a client polling its status request must too.
  if (settings.decisionsMs >= 0 && settings.decisionsMs < MIN_IDEMPOTENCY_KEY_RETENTION_MS) {
    problems.push(
      `DECISION_RETENTION_MS must be -1 or at least ${MIN_IDEMPOTENCY_KEY_RETENTION_MS} (a repeated request must find its decision); got '${settings.decisionsMs}'`,
    );
  }
  const keys = settings.idempotencyKeysMs;
  if (keys >= 0 && keys < MIN_IDEMPOTENCY_KEY_RETENTION_MS) {
    problems.push(
      `IDEMPOTENCY_KEY_RETENTION_MS must be -1 or at least ${MIN_IDEMPOTENCY_KEY_RETENTION_MS} (a client's retries must find the key); got '${keys}'`,
    );
  }
  const produced = settings.producedOrdersMs;
  if (produced >= 0 && (keys < 0 || produced < keys)) {
    problems.push(
      `PRODUCED_ORDER_RETENTION_MS (${produced}) must be at least IDEMPOTENCY_KEY_RETENTION_MS (${keys}; -1 needs -1): a replayed request answers with the order its key produced`,
    );
  }
  return settings;
}
