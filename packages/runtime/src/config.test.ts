import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_METRICS_PORT, loadConfig, metricsPortOf } from './config.js';

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
