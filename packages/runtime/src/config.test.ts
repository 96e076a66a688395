import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { DEFAULT_RULE_LIMITS } from '@kafka-monitor/domain';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_METRICS_PORT, loadConfig, metricsPortOf, type Environment } from './config.js';

describe('loadConfig: rule limits', () => {
  it('defaults to the limits of the specification', () => {
    expect(loadConfig({}).ruleLimits).toEqual(DEFAULT_RULE_LIMITS);
  });

  it('reads quantities as whole numbers and amounts into cents', () => {
    expect(
      loadConfig({
        RULE_MIN_QUANTITY: '2',
        RULE_MAX_QUANTITY: '80',
        RULE_MIN_TOTAL: '5',
        RULE_MAX_TOTAL: '2500.50',
        RULE_PRICE_TOLERANCE: '0.02',
      }).ruleLimits,
    ).toEqual({ minQuantity: 2, maxQuantity: 80, minTotalCents: 500, maxTotalCents: 250_050, priceToleranceCents: 2 });
  });

  it('refuses malformed and inconsistent limits, each problem naming its variable', () => {
    const problems = (env: Environment): readonly string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ RULE_MAX_QUANTITY: '1.5', RULE_PRICE_TOLERANCE: '0.001', RULE_MIN_TOTAL: 'abc' })).toEqual([
      "RULE_MAX_QUANTITY must be a whole number from 1 to 1000000000; got '1.5'",
      "RULE_MIN_TOTAL must be an amount with at most two decimals from 0 to 1000000000000; got 'abc'",
      "RULE_PRICE_TOLERANCE must be an amount with at most two decimals from 0 to 1000000000000; got '0.001'",
    ]);
    expect(problems({ RULE_MIN_QUANTITY: '10', RULE_MAX_QUANTITY: '5' })).toEqual([
      'RULE_MIN_QUANTITY must not exceed RULE_MAX_QUANTITY',
    ]);
  });
});

describe('loadConfig: store retention', () => {
  const problems = (env: Environment): readonly string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('keeps keys a day, produced orders a week, resolved dead letters 30 days, the Cassandra timeline a week', () => {
    const config = loadConfig({});
    expect(config.storeRetention).toEqual({
      idempotencyKeysMs: 86_400_000,
      producedOrdersMs: 604_800_000,
      resolvedDeadLettersMs: 2_592_000_000,
      decisionsMs: 604_800_000,
      changeFeedMs: 86_400_000,
      checkIntervalMs: 60_000,
    });
    expect(config.timelineTtlMs).toBe(604_800_000);
    expect(
      loadConfig({ PRODUCED_ORDER_RETENTION_MS: '-1', IDEMPOTENCY_KEY_RETENTION_MS: '-1' }).storeRetention,
    ).toMatchObject({ idempotencyKeysMs: -1, producedOrdersMs: -1 });
  });

  it('refuses a key kept less than a minute, and produced orders kept less long than the keys that name them', () => {
    expect(problems({ IDEMPOTENCY_KEY_RETENTION_MS: '1000' })).toEqual([
      "IDEMPOTENCY_KEY_RETENTION_MS must be -1 or at least 60000 (a client's retries must find the key); got '1000'",
    ]);
    expect(problems({ PRODUCED_ORDER_RETENTION_MS: '3600000' })).toEqual([
      'PRODUCED_ORDER_RETENTION_MS (3600000) must be at least IDEMPOTENCY_KEY_RETENTION_MS (86400000; -1 needs -1): a replayed request answers with the order its key produced',
    ]);
    expect(problems({ IDEMPOTENCY_KEY_RETENTION_MS: '-1' })).toHaveLength(1);
    expect(problems({ DECISION_RETENTION_MS: '0' })).toHaveLength(1);
    expect(problems({ DEAD_LETTER_RETENTION_MS: '-2', STORE_RETENTION_CHECK_INTERVAL_MS: '10' })).toHaveLength(2);
  });
});

describe('loadConfig', () => {
  it('defaults to the embedded single-process setup', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      bus: 'embedded',
      store: 'sqlite',
      port: 3000,
      host: '127.0.0.1',
      orderRate: 10,
      anomalyRate: 0.1,
      monitorApiToken: undefined,
      logLevel: 'info',
      services: ['order-processor', 'query-processor', 'registry-processor', 'monitor'],
      kafkaBrokers: ['localhost:9092'],
      busPrefix: '',
      kafkaClusterName: 'kafka-monitor',
      partitions: 3,
    });
    expect(config.dataDir.endsWith('/data')).toBe(true);
  });

  it('reads every variable of the specification', () => {
    const config = loadConfig({
      BUS: 'kafka',
      STORE: 'cassandra',
      DATA_DIR: '/tmp/km',
      KAFKA_BROKERS: 'a:9092, b:9092',
      BUS_PREFIX: 'staging-2.',
      KAFKA_CLUSTER_NAME: 'prod-eu_1',
      CASSANDRA_CONTACT_POINTS: 'c1,c2',
      CASSANDRA_PORT: '9043',
      CASSANDRA_DATACENTER: 'dc2',
      PORT: '8080',
      HOST: '0.0.0.0',
      ORDER_RATE: '200',
      ANOMALY_RATE: '0.25',
      MONITOR_API_TOKEN: 'secret',
      LOG_LEVEL: 'debug',
      PROCESSOR_ID: 'p-1',
      SERVICES: 'monitor, query-processor',
    });
    expect(config).toMatchObject({
      bus: 'kafka',
      store: 'cassandra',
      dataDir: '/tmp/km',
      kafkaBrokers: ['a:9092', 'b:9092'],
      busPrefix: 'staging-2.',
      kafkaClusterName: 'prod-eu_1',
      cassandra: { contactPoints: ['c1', 'c2'], port: 9043, datacenter: 'dc2' },
      port: 8080,
      host: '0.0.0.0',
      orderRate: 200,
      anomalyRate: 0.25,
      monitorApiToken: 'secret',
      logLevel: 'debug',
      processorId: 'p-1',
      services: ['monitor', 'query-processor'],
    });
  });

  it('reads LOG_FORMAT as json or pretty, leaves it unset by default and refuses anything else', () => {
    expect(loadConfig({}).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: ' pretty ' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow("LOG_FORMAT must be one of json, pretty; got 'text'");
  });

  it('reads the review SLA (30 minutes) and expiry policy (off) and refuses what is not one', () => {
    expect(loadConfig({})).toMatchObject({ reviewSlaMinutes: 30, reviewExpiry: 'off' });
    expect(loadConfig({ REVIEW_SLA_MINUTES: '5', REVIEW_EXPIRY: 'deny' })).toMatchObject({
      reviewSlaMinutes: 5,
      reviewExpiry: 'deny',
    });
    expect(loadConfig({ REVIEW_EXPIRY: 'accept' }).reviewExpiry).toBe('accept');
    let caught: unknown;
    try {
      loadConfig({ REVIEW_SLA_MINUTES: '0', REVIEW_EXPIRY: 'delete' });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).problems).toEqual([
      "REVIEW_SLA_MINUTES must be an integer from 1 to 10080; got '0'",
      "REVIEW_EXPIRY must be one of deny, accept, off; got 'delete'",
    ]);
  });

  it("accepts the original's KAFKA_BOOTSTRAP_SERVERS and CASSANDRA_HOST", () => {
    const config = loadConfig({ KAFKA_BOOTSTRAP_SERVERS: 'k:29092', CASSANDRA_HOST: 'cass' });
    expect(config.kafkaBrokers).toEqual(['k:29092']);
    expect(config.cassandra.contactPoints).toEqual(['cass']);
  });

  it('reports every bad value at once with what was expected', () => {
    let caught: unknown;
    try {
      loadConfig({
        BUS: 'rabbit',
        PORT: 'eighty',
        ORDER_RATE: '-1',
        ANOMALY_RATE: '2',
        SERVICES: 'monitor,web',
        LOG_LEVEL: 'loud',
        BUS_PREFIX: 'my prefix/',
        KAFKA_CLUSTER_NAME: 'prod "eu"',
        METRICS_PORT: '70000',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    const expected = [
      "BUS must be one of embedded, kafka; got 'rabbit'",
      "PORT must be an integer from 0 to 65535; got 'eighty'",
      "ORDER_RATE must be a number from 0 to 100000; got '-1'",
      "ANOMALY_RATE must be a number from 0 to 1; got '2'",
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'",
      "BUS_PREFIX must be letters, digits, '.', '_' or '-' (at most 64); got 'my prefix/'",
      `KAFKA_CLUSTER_NAME must be letters, digits, '.', '_' or '-' (at most 64); got 'prod "eu"'`,
      'SERVICES has unknown entries web; known: order-processor, query-processor, registry-processor, monitor',
      "METRICS_PORT must be an integer from 0 to 65535; got '70000'",
    ];
    expect([...problems].sort()).toEqual(expected.sort());
    expect((caught as Error).message).toContain('invalid configuration');
  });

  it('opens a health and metrics server on METRICS_PORT, by default on 9464 unless the monitor serves them', () => {
    const unset = loadConfig({});
    expect(unset.metricsPort).toBeUndefined();
    expect(metricsPortOf(unset, ['registry-processor'])).toBe(DEFAULT_METRICS_PORT);
    expect(DEFAULT_METRICS_PORT).toBe(9464);
    expect(metricsPortOf(unset, ['monitor', 'query-processor'])).toBeUndefined();
    const set = loadConfig({ METRICS_PORT: '0' });
    expect(set.metricsPort).toBe(0);
    expect(metricsPortOf(set, ['monitor'])).toBe(0);
    expect(metricsPortOf(loadConfig({ METRICS_PORT: '9500' }), ['order-processor'])).toBe(9500);
  });
});

describe('loadConfig: secured connections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'km-config-'));
  const write = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const ca = write('ca.pem', '-----BEGIN CERTIFICATE-----\n');
  const cert = write('client.pem', '-----BEGIN CERTIFICATE-----\n');
  const key = write('client.key', '-----BEGIN PRIVATE KEY-----\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problemsOf = (env: Environment): readonly string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('Given nothing about security, then Kafka is PLAINTEXT and Cassandra plain, without credentials', () => {
    const config = loadConfig({});
    expect(config.kafkaSecurity).toEqual({ protocol: 'PLAINTEXT', sasl: undefined, tls: undefined });
    expect(config.cassandra).toMatchObject({ username: undefined, password: undefined, tls: undefined });
    expect(config.cassandra.replication).toEqual({ class: 'SimpleStrategy', factor: 1 });
  });

  it('Given SASL_SSL with SCRAM, a CA, a client certificate and a key password, then all of it is read', () => {
    const config = loadConfig({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'monitor',
      KAFKA_SASL_PASSWORD: ' pass with spaces ',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SSL_CERT_FILE: cert,
      KAFKA_SSL_KEY_FILE: key,
      KAFKA_SSL_KEY_PASSWORD_FILE: write('key-password', 'unlock\n'),
      KAFKA_SSL_VERIFY_HOSTNAME: 'false',
    });
    const { sasl, tls } = config.kafkaSecurity;
    expect(config.kafkaSecurity.protocol).toBe('SASL_SSL');
    expect(sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(sasl?.username).toBe('monitor');
    expect(sasl?.password.reveal()).toBe(' pass with spaces ');
    expect(tls).toMatchObject({ caFile: ca, certFile: cert, keyFile: key, verifyHostname: false });
    expect(tls?.keyPassword?.reveal()).toBe('unlock');
  });

  it('Given SSL alone, then TLS is on with server name verification and no SASL', () => {
    const config = loadConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL' });
    expect(config.kafkaSecurity.sasl).toBeUndefined();
    expect(config.kafkaSecurity.tls).toEqual({
      caFile: undefined,
      certFile: undefined,
      keyFile: undefined,
      keyPassword: undefined,
      verifyHostname: true,
    });
  });

  it('Given a password file, then one trailing newline is dropped and nothing else', () => {
    const config = loadConfig({
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD_FILE: write('kafka-password', 'two lines\n\n'),
      CASSANDRA_USERNAME: 'cassandra',
      CASSANDRA_PASSWORD_FILE: write('cassandra-password', 'c-pass\r\n'),
    });
    expect(config.kafkaSecurity.sasl?.password.reveal()).toBe('two lines\n');
    expect(config.kafkaSecurity.tls).toBeUndefined();
    expect(config.cassandra.username).toBe('cassandra');
    expect(config.cassandra.password?.reveal()).toBe('c-pass');
  });

  it('Given Cassandra TLS and a replication per data centre, then both are read', () => {
    const config = loadConfig({
      CASSANDRA_SSL: 'true',
      CASSANDRA_SSL_CA_FILE: ca,
      CASSANDRA_DATACENTER: 'dc1',
      CASSANDRA_REPLICATION: 'dc1:3, us-east-2:2',
    });
    expect(config.cassandra.tls).toMatchObject({ caFile: ca, certFile: undefined, verifyHostname: true });
    expect(config.cassandra.replication).toEqual({
      class: 'NetworkTopologyStrategy',
      dataCenters: [
        { name: 'dc1', factor: 3 },
        { name: 'us-east-2', factor: 2 },
      ],
    });
  });

  it('Given incomplete or contradictory security settings, then every problem is reported at once', () => {
    const missing = join(dir, 'missing.pem');
    expect(
      [
        ...problemsOf({
          KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
          KAFKA_SASL_MECHANISM: 'GSSAPI',
          KAFKA_SASL_PASSWORD: 'p',
          KAFKA_SASL_PASSWORD_FILE: write('p2', 'p'),
          KAFKA_SSL_CERT_FILE: cert,
          KAFKA_SSL_CA_FILE: missing,
          KAFKA_SSL_VERIFY_HOSTNAME: 'no',
          CASSANDRA_USERNAME: 'u',
          CASSANDRA_SSL_CA_FILE: ca,
          CASSANDRA_DATACENTER: 'dc1',
          CASSANDRA_REPLICATION: 'dc1:3,dc2,dc2:0,dc1:2',
          CASSANDRA_REPLICATION_FACTOR: '2',
        }),
      ].sort(),
    ).toEqual(
      [
        "KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; got 'GSSAPI'",
        'KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL',
        'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set; set only one',
        'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): set both or neither',
        `KAFKA_SSL_CA_FILE: cannot read '${missing}' (ENOENT)`,
        "KAFKA_SSL_VERIFY_HOSTNAME must be one of true, false; got 'no'",
        'CASSANDRA_USERNAME is set without CASSANDRA_PASSWORD or CASSANDRA_PASSWORD_FILE',
        'CASSANDRA_SSL_CA_FILE is set but CASSANDRA_SSL is not true',
        'CASSANDRA_REPLICATION and CASSANDRA_REPLICATION_FACTOR are both set; set only one',
        "CASSANDRA_REPLICATION must be datacentre:replicas pairs such as 'dc1:3,dc2:2' (replicas 1 to 20); got 'dc2'",
        "CASSANDRA_REPLICATION must be datacentre:replicas pairs such as 'dc1:3,dc2:2' (replicas 1 to 20); got 'dc2:0'",
        "CASSANDRA_REPLICATION names data centre 'dc1' twice",
      ].sort(),
    );
  });

  it('Given a SASL protocol without a mechanism, or SASL and TLS settings a protocol does not use, then each is a problem', () => {
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })).toEqual([
      'KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT: one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
      'KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT',
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT',
    ]);
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SSL_CA_FILE: ca })).toEqual([
      'KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT (SASL needs SASL_PLAINTEXT or SASL_SSL)',
      'KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT (TLS needs SSL or SASL_SSL)',
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toEqual([
      "KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; got 'TLS'",
    ]);
    expect(problemsOf({ CASSANDRA_DATACENTER: 'dc1', CASSANDRA_REPLICATION: 'dc2:3' })).toEqual([
      "CASSANDRA_REPLICATION puts no replica in CASSANDRA_DATACENTER 'dc1', where this process reads and writes",
    ]);
  });

  it('Given an unreadable or empty password file, then the problem names the variable and path, never a content', () => {
    const empty = write('empty', '\n');
    const missing = join(dir, 'nope');
    expect(problemsOf({ CASSANDRA_USERNAME: 'u', CASSANDRA_PASSWORD_FILE: missing })).toEqual([
      `CASSANDRA_PASSWORD_FILE: cannot read '${missing}' (ENOENT)`,
    ]);
    expect(problemsOf({ CASSANDRA_USERNAME: 'u', CASSANDRA_PASSWORD_FILE: empty })).toEqual([
      `CASSANDRA_PASSWORD_FILE: '${empty}' is empty`,
    ]);
  });

  it('Given a known password through the variable or the file, then no printed form of the config or its errors shows it', () => {
    const password = 'Known-Pa55word-7f3a';
    const configs = [
      loadConfig({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: password,
        CASSANDRA_USERNAME: 'c',
        CASSANDRA_PASSWORD: password,
      }),
      loadConfig({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: write('known', `${password}\n`),
        KAFKA_SSL_CERT_FILE: cert,
        KAFKA_SSL_KEY_FILE: key,
        KAFKA_SSL_KEY_PASSWORD: password,
        CASSANDRA_USERNAME: 'c',
        CASSANDRA_PASSWORD_FILE: write('known2', password),
      }).kafkaSecurity,
    ].flatMap((config) => [JSON.stringify(config), inspect(config, { depth: 10, showHidden: true })]);
    expect(configs.length).toBe(4);
    for (const text of configs) expect(text).not.toContain(password);
    // Problems next to a password (the file too, a protocol that ignores it) never quote it.
    let caught: unknown;
    try {
      loadConfig({
        KAFKA_SASL_PASSWORD: password,
        KAFKA_SSL_KEY_PASSWORD: password,
        CASSANDRA_PASSWORD: password,
        CASSANDRA_PASSWORD_FILE: write('known3', password),
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.length).toBeGreaterThanOrEqual(3);
    expect(inspect(caught)).not.toContain(password);
    expect(JSON.stringify(caught)).not.toContain(password);
  });
});
