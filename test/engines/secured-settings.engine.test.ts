import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, freePort, temporaryDirectory } from '../helpers.js';
import { baseEnvironment, expectNoSecret, securedCassandra, securedKafka, untrustedCa } from './secured.js';

const binary = fileURLToPath(new URL('../../packages/cli/bin/kafka-monitor.js', import.meta.url));
const TIMEOUT_SECONDS = 8;
/** Node start-up of the CLI on 2 busy cores, on top of its --timeout. */
const STARTUP_ALLOWANCE_MS = 6_000;

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

async function kafkaMonitor(args: readonly string[], environment: Record<string, string>): Promise<Finished> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [binary, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr, elapsedMs: Date.now() - startedAt };
}

/** A wrong password that is still a secret: it must not show up either. */
const wrongPassword = `wrong-${randomUUID()}`;

interface BadSetting {
  readonly name: string;
  /** The bus or the store the setting breaks; the other one is the embedded log or SQLite. */
  readonly engine: 'kafka' | 'cassandra';
  readonly environment: () => Record<string, string>;
  /**
   * The line that names the cause, exactly as the adapter words it (a pattern only where it names a
   * TLS error code Node chooses), as the CLI prints it and readiness reports it.
   */
  readonly cause: string | RegExp;
}

/** The cause, as a pattern: exact text for a string. */
function patternOf(cause: string | RegExp): RegExp {
  return typeof cause === 'string' ? new RegExp(cause.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : cause;
}

function without(environment: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter(([name]) => !name.startsWith(prefix)));
}

const BAD_SETTINGS: readonly BadSetting[] = [
  {
    name: 'Kafka: wrong password',
    engine: 'kafka',
    environment: () => ({ ...securedKafka(), KAFKA_SASL_PASSWORD: wrongPassword }),
    cause:
      'kafka: SASL authentication failed (wrong user name or password?): check KAFKA_SASL_USERNAME, ' +
      'KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM',
  },
  {
    name: 'Kafka: a SASL mechanism the broker does not offer',
    engine: 'kafka',
    environment: () => ({ ...securedKafka(), KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' }),
    cause:
      'kafka: the brokers do not offer the SASL mechanism asked for (UNSUPPORTED_SASL_MECHANISM): check ' +
      'KAFKA_SASL_MECHANISM',
  },
  {
    name: 'Kafka: a certificate signed by a CA the client does not trust',
    engine: 'kafka',
    environment: () => ({ ...securedKafka(), KAFKA_SSL_CA_FILE: untrustedCa.kafka() }),
    cause:
      /kafka: the broker's TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\): set KAFKA_SSL_CA_FILE to the CA that signed it/,
  },
  {
    name: 'Kafka: a plaintext client against the TLS listener',
    engine: 'kafka',
    environment: () => ({
      ...without(securedKafka(), 'KAFKA_S'),
      KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT',
    }),
    cause:
      'kafka: the broker closed the connection without answering (is the listener TLS? set ' +
      'KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL)',
  },
  {
    name: 'Kafka: no client certificate where the listener requires one',
    engine: 'kafka',
    environment: () => without(without(securedKafka(), 'KAFKA_SSL_CERT_FILE'), 'KAFKA_SSL_KEY_FILE'),
    cause:
      /kafka: the broker refused the TLS handshake \(ERR_SSL_\w*ALERT\w*\): does it require a client certificate \(KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE\) signed by a CA it trusts\?/,
  },
  {
    name: 'Cassandra: wrong password',
    engine: 'cassandra',
    environment: () => ({ ...securedCassandra(), CASSANDRA_PASSWORD: wrongPassword }),
    cause:
      'Cassandra refused the user name or password (authentication failed): check CASSANDRA_USERNAME and ' +
      'CASSANDRA_PASSWORD',
  },
  {
    name: 'Cassandra: a certificate signed by a CA the client does not trust',
    engine: 'cassandra',
    environment: () => ({ ...securedCassandra(), CASSANDRA_SSL_CA_FILE: untrustedCa.cassandra() }),
    cause:
      /Cassandra's TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\): set CASSANDRA_SSL_CA_FILE to the CA that signed it/,
  },
  {
    name: 'Cassandra: a plaintext client against the TLS-only native port',
    engine: 'cassandra',
    environment: () => ({ ...without(securedCassandra(), 'CASSANDRA_SSL'), CASSANDRA_SSL: 'false' }),
    cause:
      'Cassandra closed the connection or never answered it (is its native port encrypted? set CASSANDRA_SSL=true)',
  },
  {
    name: 'Cassandra: no client certificate where the node requires one',
    engine: 'cassandra',
    environment: () => without(without(securedCassandra(), 'CASSANDRA_SSL_CERT_FILE'), 'CASSANDRA_SSL_KEY_FILE'),
    cause:
      /Cassandra refused the TLS handshake \(ERR_SSL_\w*ALERT\w*\): does it require a client certificate \(CASSANDRA_SSL_CERT_FILE, CASSANDRA_SSL_KEY_FILE\) signed by a CA it trusts\?/,
  },
];

/**
 * Each bad setting of a secured connection fails fast with one line naming its cause: the CLI exits 2
 * within its --timeout, and a service keeps running, retrying, and reports `down` with that cause on
 * /health/ready. No output carries a password, the right one or the wrong one.
 */
describe('bad settings against the secured engines', () => {
  const dir = temporaryDirectory('secured-settings-');
  const children = new Set<ChildProcess>();
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await sleep(200);
    dir.remove();
  });

  /** The rest of the environment: the other dependency embedded, so only the bad one can fail. */
  function environmentOf(setting: BadSetting): Record<string, string> {
    return {
      ...baseEnvironment(),
      DATA_DIR: dir.path,
      LOG_LEVEL: 'info',
      ...(setting.engine === 'kafka' ? { STORE: 'sqlite' } : { BUS: 'embedded' }),
      ...setting.environment(),
    };
  }

  for (const setting of BAD_SETTINGS) {
    it(`${setting.name}: the CLI exits 2 within --timeout with one line naming the cause`, async () => {
      const command = setting.engine === 'kafka' ? 'list-topics' : 'migrate';
      const run = await kafkaMonitor([command, '--timeout', String(TIMEOUT_SECONDS)], environmentOf(setting));
      expect(run.code, run.stderr).toBe(2);
      expect(run.elapsedMs).toBeLessThan(TIMEOUT_SECONDS * 1000 + STARTUP_ALLOWANCE_MS);
      const lines = run.stderr.split('\n').filter((line) => line !== '');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(patternOf(setting.cause));
      for (const [where, text] of [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
      ] as const) {
        expectNoSecret(`the CLI's ${where}`, text);
        expect(text.includes(wrongPassword), `the CLI's ${where} holds the wrong password`).toBe(false);
      }
    }, 60_000);

    it(`${setting.name}: a service keeps running and reports down on /health/ready with the cause`, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, LAUNCHER_ARGS, {
        env: {
          ...environmentOf(setting),
          SERVICES: 'query-processor',
          PROCESSOR_ID: 'secured-bad-setting',
          METRICS_PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      try {
        const answer = await waitFor(
          'readiness naming the cause',
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
            return response === undefined ? undefined : { status: response.status, body: await response.text() };
          },
          (seen) => seen !== undefined && seen.status === 503 && patternOf(setting.cause).test(seen.body),
          45_000,
        );
        const body = JSON.parse(answer?.body ?? '{}') as { status?: string; reason?: string };
        expect(body.status).toBe('down');
        expect(body.reason).toMatch(patternOf(setting.cause));
        // Still there after a few retries: a supervisor sees a process that waits, not a crash loop.
        await sleep(3_000);
        expect(child.exitCode, output).toBeNull();
        expect(output).toMatch(patternOf(setting.cause));
        for (const [where, text] of [
          ['/health/ready', answer?.body ?? ''],
          ['the service output', output],
        ] as const) {
          expectNoSecret(where, text);
          expect(text.includes(wrongPassword), `${where} holds the wrong password`).toBe(false);
        }
      } finally {
        child.kill('SIGKILL');
        children.delete(child);
      }
    }, 90_000);
  }
});

/** The CLI on both secured engines: the store commands, and the outputs that show the configuration. */
describe('the CLI on the secured Kafka and Cassandra', () => {
  const dir = temporaryDirectory('secured-cli-store-');
  afterAll(() => dir.remove());
  const environment = (): Record<string, string> => ({
    ...baseEnvironment(),
    ...securedKafka(),
    ...securedCassandra(),
    BUS_PREFIX: `cli-${randomUUID().slice(0, 8)}.`,
    CASSANDRA_KEYSPACE_PREFIX: `cli${Date.now().toString(36)}_`,
    DATA_DIR: dir.path,
  });

  it('setup, migrate, test-data and check-health work; no output shows a password', async () => {
    const shared = environment();
    const outputs: [string, Finished][] = [];
    for (const args of [['setup'], ['migrate'], ['test-data', '50'], ['check-health']]) {
      const run = await kafkaMonitor(args, shared);
      outputs.push([args.join(' '), run]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    const [, health] = outputs.at(-1) ?? [];
    expect(health?.stdout).toMatch(/Status: healthy/);
    expect(health?.stdout).toMatch(/Bus: Kafka at 127\.0\.0\.1:\d+/);
    for (const command of ['broker-config', 'show-config']) {
      const run = await kafkaMonitor([command], shared);
      expect(run.code, run.stderr).toBe(0);
      // The settings are shown, their secrets are not.
      expect(run.stdout).toMatch(/KAFKA_SASL_USERNAME/);
      outputs.push([command, run]);
    }
    for (const [command, run] of outputs) {
      expectNoSecret(`${command}'s stdout`, run.stdout);
      expectNoSecret(`${command}'s stderr`, run.stderr);
    }
  }, 180_000);
});
