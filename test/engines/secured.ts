import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/*
 * The secured engines of `npm run test:engines` (scripts/engines/start.sh kafka-secure cassandra-secure):
 * their SECURED_* variables, turned into exactly the environment variables a user of the product sets.
 * The product is configured only through these; nothing else about the engines reaches it.
 */

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run the secured suites through \`npm run test:engines\``);
  }
  return value;
}

/** The secured Kafka as the product's variables: SASL_SSL, SCRAM-SHA-512, the test CA, a client certificate. */
export function securedKafka(): Record<string, string> {
  return {
    BUS: 'kafka',
    KAFKA_BROKERS: required('SECURED_KAFKA_BROKERS'),
    KAFKA_SECURITY_PROTOCOL: required('SECURED_KAFKA_SECURITY_PROTOCOL'),
    KAFKA_SASL_MECHANISM: required('SECURED_KAFKA_SASL_MECHANISM'),
    KAFKA_SASL_USERNAME: required('SECURED_KAFKA_SASL_USERNAME'),
    KAFKA_SASL_PASSWORD: required('SECURED_KAFKA_SASL_PASSWORD'),
    KAFKA_SSL_CA_FILE: required('SECURED_KAFKA_SSL_CA_FILE'),
    KAFKA_SSL_CERT_FILE: required('SECURED_KAFKA_SSL_CERT_FILE'),
    KAFKA_SSL_KEY_FILE: required('SECURED_KAFKA_SSL_KEY_FILE'),
  };
}

/** The secured Cassandra as the product's variables: a login role, TLS with the test CA and a client certificate. */
export function securedCassandra(): Record<string, string> {
  return {
    STORE: 'cassandra',
    CASSANDRA_HOST: required('SECURED_CASSANDRA_HOST'),
    CASSANDRA_PORT: required('SECURED_CASSANDRA_PORT'),
    CASSANDRA_DATACENTER: required('SECURED_CASSANDRA_DATACENTER'),
    CASSANDRA_USERNAME: required('SECURED_CASSANDRA_USERNAME'),
    CASSANDRA_PASSWORD: required('SECURED_CASSANDRA_PASSWORD'),
    CASSANDRA_SSL: required('SECURED_CASSANDRA_SSL'),
    CASSANDRA_SSL_CA_FILE: required('SECURED_CASSANDRA_SSL_CA_FILE'),
    CASSANDRA_SSL_CERT_FILE: required('SECURED_CASSANDRA_SSL_CERT_FILE'),
    CASSANDRA_SSL_KEY_FILE: required('SECURED_CASSANDRA_SSL_KEY_FILE'),
  };
}

/** A CA that did not sign the engine's certificate: a client trusting only it must refuse the engine. */
export const untrustedCa = {
  kafka: (): string => required('SECURED_KAFKA_UNTRUSTED_CA_FILE'),
  cassandra: (): string => required('SECURED_CASSANDRA_UNTRUSTED_CA_FILE'),
};

/** The passwords the suites start with; no output of the product may ever contain one. */
export function knownSecrets(): string[] {
  return [required('SECURED_KAFKA_SASL_PASSWORD'), required('SECURED_CASSANDRA_PASSWORD')];
}

/**
 * The test process's own environment (PATH, HOME...) without any engine setting: the plain engines'
 * KAFKA_* / CASSANDRA_* that test.sh exports and the SECURED_* lists must not leak into a child.
 */
export function baseEnvironment(): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(KAFKA_|CASSANDRA_|SECURED_|BUS|STORE)/.test(name)) continue;
    base[name] = value;
  }
  return base;
}

/**
 * The same settings with the passwords in files (the *_FILE variables) instead of the environment,
 * so the suites exercise both ways.
 */
export function withPasswordFiles(environment: Record<string, string>, directory: string): Record<string, string> {
  const result = { ...environment };
  for (const [variable, file] of [
    ['KAFKA_SASL_PASSWORD', 'kafka-password'],
    ['CASSANDRA_PASSWORD', 'cassandra-password'],
  ] as const) {
    const password = result[variable];
    if (password === undefined) continue;
    const path = join(directory, file);
    writeFileSync(path, `${password}\n`, { mode: 0o600 });
    delete result[variable];
    result[`${variable}_FILE`] = path;
  }
  return result;
}

/** Fails naming where a known password showed up, without printing the password itself. */
export function expectNoSecret(where: string, text: string): void {
  const found = knownSecrets().filter((secret) => text.includes(secret));
  expect(found.length, `${where} contains a password (${text.length} characters checked)`).toBe(0);
}
