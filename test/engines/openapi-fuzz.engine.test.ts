import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS } from '@kafka-monitor/domain';
import { loadConfig, openInfrastructure, type Environment, type Infrastructure } from '@kafka-monitor/runtime';
import { waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, freePort, temporaryDirectory } from '../helpers.js';

const brokers = process.env.KAFKA_BROKERS;
const cassandraHost = process.env.CASSANDRA_HOST;
if (brokers === undefined || brokers === '' || cassandraHost === undefined || cassandraHost === '')
  throw new Error('KAFKA_BROKERS and CASSANDRA_HOST must name the engines (npm run test:engines sets them)');

const FUZZ_SCRIPT = fileURLToPath(new URL('../../scripts/openapi-fuzz.sh', import.meta.url));
/**
 * Examples per operation and phase: the embedded run in .ci/run takes 40; here every request crosses
 * Kafka and Cassandra on the same two cores, so fewer keep the stage within its budget.
 */
const MAX_EXAMPLES = process.env.OPENAPI_FUZZ_MAX_EXAMPLES ?? '15';
const SERVICES = ['order-processor', 'query-processor', 'registry-processor', 'monitor'] as const;
/** cassandra-driver's words when a connection already carries all the requests it can. */
const BUSY = /are busy, \d+ requests are in-flight/;

/**
 * The OpenAPI conformance fuzzer (scripts/openapi-fuzz.sh: schemathesis, every check, every phase,
 * the stateful one included) against a fresh distributed stack on real Kafka and Cassandra: the
 * monitor and the three processors, each in its own process, as deployed. It passes only when
 * schemathesis finds no failure and no error and tests every operation of the document, and when no
 * process's store refused a request as over its connection's capacity (the generator, driven by the
 * fuzzer's PUT /api/generator, writes through the same store the readers use).
 */
describe('OpenAPI conformance fuzz on Kafka + Cassandra, distributed', () => {
  const dir = temporaryDirectory('openapi-fuzz-engines-');
  const children = new Set<ChildProcess>();
  const logs = new Map<string, string>();
  const keyspacePrefix = `fz${Date.now().toString(36)}_`;
  let infrastructure: Infrastructure | undefined;

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await sleep(2_000);
    for (const child of children) child.kill('SIGKILL');
    await infrastructure?.close();
    await dropKeyspaces(keyspacePrefix);
    dir.remove();
  });

  function start(service: (typeof SERVICES)[number], environment: Environment): void {
    const log = join(dir.path, `${service}.log`);
    logs.set(service, log);
    const out = createWriteStream(log);
    const child = spawn(process.execPath, LAUNCHER_ARGS, {
      env: { ...environment, SERVICES: service, PROCESSOR_ID: service },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    children.add(child);
    child.once('exit', () => children.delete(child));
  }

  it('finds no failure and no error, and tests every operation', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const token = `fuzz-${randomBytes(12).toString('hex')}`;
    const environment: Environment = {
      ...process.env,
      BUS: 'kafka',
      KAFKA_BROKERS: brokers,
      STORE: 'cassandra',
      // Fresh topics, groups and keyspaces: the orders of the suites before this one are not replayed
      // into this run's views, and the fuzzer's orders and dead letters are this run's only.
      BUS_PREFIX: `fuzz-${Date.now().toString(36)}.`,
      CASSANDRA_KEYSPACE_PREFIX: keyspacePrefix,
      DATA_DIR: dir.path,
      LOG_LEVEL: 'warn',
      MONITOR_API_TOKEN: token,
    };
    for (const service of SERVICES) {
      start(
        service,
        service === 'monitor'
          ? { ...environment, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: undefined }
          : { ...environment, METRICS_PORT: '0' },
      );
    }
    const { bus, store } = (infrastructure = await openInfrastructure(
      loadConfig({ ...environment, PROCESSOR_ID: 'fuzz-test' }),
    ));
    await waitFor(
      'the monitor ready and the three processors heartbeating',
      async () => {
        const ready = await fetch(`${base}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        return ready ? (await store.control.liveInstances(Date.now() - 10_000)).length : 0;
      },
      (n) => n >= 3,
      120_000,
    );
    // Poison messages, so the dead-letter operations have something to read, redrive and discard.
    await bus.publish(TOPICS.orders, [
      { key: null, value: 'not json' },
      { key: null, value: '{"order-id": "fuzz-1", "quantity": "three"}' },
      { key: null, value: '{"order-id": "fuzz-2"}' },
    ]);
    await waitFor(
      'dead letters collected',
      async () => {
        const r = await fetch(`${base}/api/dead-letters`);
        return ((await r.json()) as { count?: number }).count ?? 0;
      },
      (count) => count >= 1,
      60_000,
    );

    const fuzz = spawn('bash', [FUZZ_SCRIPT], {
      env: {
        ...process.env,
        OPENAPI_FUZZ_URL: base,
        OPENAPI_FUZZ_TOKEN: token,
        OPENAPI_FUZZ_MAX_EXAMPLES: MAX_EXAMPLES,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    fuzz.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    fuzz.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const [code] = (await once(fuzz, 'exit')) as [number | null];

    // The summary always; failures, errors and warnings come before it when there are any.
    const summaryAt = output.search(/^=+ SUMMARY =+$/m);
    const failuresAt = output.search(/^=+ (FAILURES|ERRORS) =+$/m);
    const shown = failuresAt >= 0 ? output.slice(failuresAt) : summaryAt >= 0 ? output.slice(summaryAt) : output;
    console.log(`openapi fuzz on Kafka + Cassandra (distributed, max-examples ${MAX_EXAMPLES}):\n${shown.trim()}`);
    const busy = [...logs].flatMap(([service, file]) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => BUSY.test(line))
        .map(() => service),
    );
    const busyByService = Object.fromEntries([...new Set(busy)].map((s) => [s, busy.filter((b) => b === s).length]));
    // What the generator, driven by the fuzzer's PUT /api/generator, put on the log meanwhile.
    const lag = (await bus.describeGroup(GROUPS.queryProcessor, [TOPICS.orders])).lag;
    const onLog = lag.reduce((sum, p) => sum + p.endOffset, 0);
    const unread = lag.reduce((sum, p) => sum + p.lag, 0);
    console.log(
      `orders on the log: ${onLog} (${unread} not yet read by the query processor); store requests refused ` +
        `as over the connection's capacity: ${JSON.stringify(busyByService)}`,
    );

    expect(code).toBe(0);
    expect(output).toMatch(/^openapi fuzz: 0 failures, 0 errors, (\d+) of \1 operations tested/m);
    expect(busyByService).toEqual({});
  }, 900_000);
});

/** This run's keyspaces, dropped so the orders the generator wrote do not weigh on the suites after it. */
async function dropKeyspaces(prefix: string): Promise<void> {
  const host = cassandraHost ?? '127.0.0.1';
  const admin = new cassandra.Client({
    contactPoints: [`${host}:${process.env.CASSANDRA_PORT ?? '9042'}`],
    localDataCenter: process.env.CASSANDRA_DATACENTER ?? 'datacenter1',
    // A schema change on a busy single node can take longer than the driver's default 12 s.
    socketOptions: { readTimeout: 120_000 },
  });
  try {
    for (const name of ['order_processor', 'query_processor', 'registry_processor']) {
      await admin.execute(`DROP KEYSPACE IF EXISTS ${prefix}${name}`);
    }
  } finally {
    await admin.shutdown();
  }
}
