import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const brokers = process.env.KAFKA_BROKERS;
if (brokers === undefined || brokers === '')
  throw new Error('KAFKA_BROKERS must name the broker (npm run test:engines sets it)');

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The OpenAPI conformance fuzzer (scripts/openapi-fuzz.sh: schemathesis, every check, the stateful
 * phase) against a fresh instance on Kafka and Cassandra instead of the embedded default: the same
 * document must hold whatever the bus and the store.
 */
describe('OpenAPI conformance on Kafka + Cassandra', () => {
  it('schemathesis finds no failure and no error, and tests every operation', async () => {
    const child = spawn('bash', ['scripts/openapi-fuzz.sh'], {
      cwd: root,
      env: {
        ...process.env,
        BUS: 'kafka',
        KAFKA_BROKERS: brokers,
        STORE: 'cassandra',
        // Fresh keyspaces, so the data of other tests on the same cluster is not read.
        CASSANDRA_KEYSPACE_PREFIX: `fuzz${Date.now().toString(36)}_`,
        OPENAPI_FUZZ_MAX_EXAMPLES: '25',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const summary = output.split('\n').filter((line) => line.startsWith('openapi fuzz:') || line.includes(' in '));
    console.log(summary.slice(-2).join('\n'));
    expect(code, output.slice(-6000)).toBe(0);
    expect(output).toMatch(/openapi fuzz: 0 failures, 0 errors, (\d+) of \1 operations tested/);
  }, 600_000);
});
