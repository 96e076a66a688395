import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig, type Environment } from './config.js';

/** Every name loadConfig asks the environment for, over a few environments that switch features on. */
function namesReadBy(environments: readonly Environment[]): Set<string> {
  const read = new Set<string>();
  for (const environment of environments) {
    const recording = new Proxy(environment, {
      get(target, name: string | symbol) {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name) as string | undefined;
      },
    });
    try {
      loadConfig(recording);
    } catch {
      // Incomplete settings (a SASL protocol without credentials) are refused, after being read.
    }
  }
  return read;
}

/** The variable names in the first column of the README's configuration table. */
function readmeVariables(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('\n|')));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => /^\| `([A-Z0-9_]+)`/.exec(line)?.[1] ?? `unreadable row: ${line}`);
}

const tableNames = CONFIG_VARIABLES.map((v) => v.name);

describe('the configuration table', () => {
  it('names each variable once, and every variable in it is read by the parser, and no other', () => {
    expect(new Set(tableNames).size).toBe(tableNames.length);
    const read = namesReadBy([
      {},
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', CASSANDRA_SSL: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      { KAFKA_BROKERS: 'a:9092', CASSANDRA_CONTACT_POINTS: 'c1', METRICS_PORT: '0', PROCESSOR_ID: 'p' },
    ]);
    expect([...read].sort()).toEqual([...tableNames].sort());
  });

  it("the README's configuration table lists exactly those variables", () => {
    const listed = readmeVariables();
    expect(listed.length).toBeGreaterThan(40);
    expect([...listed].sort()).toEqual([...tableNames].sort());
  });

  it('the parser falls back to the defaults of the table', () => {
    const config = loadConfig({});
    const defaultOf = (name: string): string | null | undefined =>
      CONFIG_VARIABLES.find((v) => v.name === name)?.default;
    expect(config.bus).toBe(defaultOf('BUS'));
    expect(String(config.port)).toBe(defaultOf('PORT'));
    expect(String(config.cassandra.port)).toBe(defaultOf('CASSANDRA_PORT'));
    expect(config.kafkaBrokers.join(',')).toBe(defaultOf('KAFKA_BROKERS'));
    expect(config.services.join(',')).toBe(defaultOf('SERVICES'));
    expect(String(config.anomalyRate)).toBe(defaultOf('ANOMALY_RATE'));
    expect(config.kafkaClusterName).toBe(defaultOf('KAFKA_CLUSTER_NAME'));
  });

  it('marks the passwords, the API token and the exporter headers as secrets, and nothing with a default', () => {
    expect(CONFIG_VARIABLES.filter((v) => v.secret).map((v) => v.name)).toEqual([
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SSL_KEY_PASSWORD',
      'CASSANDRA_PASSWORD',
      'MONITOR_API_TOKEN',
      'OTEL_EXPORTER_OTLP_HEADERS',
    ]);
    expect(CONFIG_VARIABLES.filter((v) => v.secret && v.default !== null)).toEqual([]);
  });
});
