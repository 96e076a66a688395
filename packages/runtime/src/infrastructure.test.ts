import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@kafka-monitor/domain';
import { loadConfig } from './config.js';
import { kafkaLogLevel, kafkaSecurityOptions, openInfrastructure } from './infrastructure.js';
import { stopAll } from './run-process.js';

describe('openInfrastructure', () => {
  it('opens the embedded log and store with the pipeline topics, and closes after stopping services', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infra-'));
    const infrastructure = await openInfrastructure(loadConfig({ DATA_DIR: dir, PARTITIONS: '4' }));
    const topics = await infrastructure.bus.listTopics();
    expect(topics.map((t) => [t.name, t.partitions])).toEqual([
      ['orders', 4],
      ['orders.dlq', 1],
      ['registry', 4],
      ['registry.dlq', 1],
    ]);
    await infrastructure.store.ping();
    const order: string[] = [];
    await stopAll(
      [
        { stop: () => Promise.resolve(void order.push('first started')) },
        { stop: () => Promise.resolve(void order.push('last started')) },
      ],
      infrastructure,
      silentLogger,
    );
    expect(order).toEqual(['last started', 'first started']);
    await expect(infrastructure.bus.ping()).rejects.toThrow(/closed/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with a clear dependency error, leaving nothing open, when Cassandra does not answer', async () => {
    const config = loadConfig({
      STORE: 'cassandra',
      CASSANDRA_CONTACT_POINTS: '127.0.0.1',
      CASSANDRA_PORT: '1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'infra-')),
    });
    await expect(openInfrastructure(config)).rejects.toMatchObject({ name: 'DependencyError', dependency: 'store' });
  });
});

describe('kafkaLogLevel', () => {
  it("shows kafkajs's protocol error answers, which it retries itself, as warnings and keeps the rest", () => {
    expect(kafkaLogLevel('error', 'Response Heartbeat(key: 12, version: 3)')).toBe('warn');
    expect(kafkaLogLevel('error', 'Crash: KafkaJSNumberOfRetriesExceeded')).toBe('error');
    expect(kafkaLogLevel('warn', 'Response Metadata(key: 3, version: 6)')).toBe('warn');
    expect(kafkaLogLevel('info', 'Consumer has joined the group')).toBe('info');
  });
});

describe('kafkaSecurityOptions', () => {
  it('Given SASL_SSL settings, then the adapter gets its mechanism, user, wrapped password and TLS files', () => {
    const config = loadConfig({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: 'monitor',
      KAFKA_SASL_PASSWORD: 'wrapped-password',
      KAFKA_SSL_VERIFY_HOSTNAME: 'false',
    });
    const options = kafkaSecurityOptions(config);
    expect(options.sasl?.mechanism).toBe('scram-sha-256');
    expect(options.sasl?.username).toBe('monitor');
    expect(JSON.stringify(options)).not.toContain('wrapped-password');
    expect(options.tls).toEqual({
      caFile: undefined,
      certFile: undefined,
      keyFile: undefined,
      keyPassword: undefined,
      verifyHostname: false,
    });
    expect(kafkaSecurityOptions(loadConfig({}))).toEqual({});
  });
});
