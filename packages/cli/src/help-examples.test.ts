import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { GROUPS, TOPICS } from '@kafka-monitor/domain';
import { waitFor } from '@kafka-monitor/testkit';
import { start } from './spawn.js';
import { cliHarness, type TestBus } from './testing.js';

/** The launcher as `npm start` runs it, compiled (the tests' global setup builds it). */
const launcher = fileURLToPath(new URL('../../../dist/app/launcher.js', import.meta.url));

/** One example line of the help, as the shell would run it: stdin from a pipe or a file, stdout to a file. */
interface Example {
  readonly line: string;
  readonly argv: string[];
  readonly input?: string[];
  readonly output?: string;
}

/** Words of a line, with '…' and "…" quoting; enough for the examples, which stay this simple. */
function words(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function parseExample(line: string, files: string): Example {
  let rest = line;
  let input: string[] | undefined;
  const piped = /^echo '([^']*)' \| (.*)$/.exec(rest);
  if (piped?.[1] !== undefined && piped[2] !== undefined) {
    input = [piped[1]];
    rest = piped[2];
  }
  const all = words(rest);
  const program = all.shift();
  if (program !== 'kafka-monitor' && program !== './kafka.sh') throw new Error(`not a kafka-monitor example: ${line}`);
  const argv: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < all.length; i++) {
    const word = all[i] ?? '';
    if (word === '<') input = readFileSync(join(files, all[++i] ?? ''), 'utf8').split('\n');
    else if (word === '>') output = join(files, all[++i] ?? '');
    else if (/[|&;<>$`]/.test(word)) throw new Error(`shell syntax this test does not run: ${line}`);
    else argv.push(word);
  }
  return { line, argv, ...(input === undefined ? {} : { input }), ...(output === undefined ? {} : { output }) };
}

/** Every "$ …" line of the help and of each command's help, in the order they are printed. */
async function helpExamples(run: (argv: string[]) => Promise<{ stdout: string }>): Promise<string[]> {
  const top = (await run(['help'])).stdout;
  const commands = [...top.matchAll(/^ {2}([a-z-]+)(?:\|[a-z-]+)? /gm)].map((m) => m[1] ?? '');
  const texts = [top];
  for (const command of commands.filter((c) => c !== 'help')) texts.push((await run(['help', command])).stdout);
  return texts.flatMap((text) => [...text.matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1] ?? ''));
}

describe('the examples of the help', () => {
  const cli = cliHarness('cli-examples-');
  const files = mkdtempSync(join(tmpdir(), 'cli-examples-files-'));
  let connection: TestBus;

  beforeAll(async () => {
    expect((await cli.run(['setup'])).code).toBe(0);
    expect((await cli.run(['test-data', '50'])).code).toBe(0);
    connection = await cli.openBus();
    const { bus } = connection;
    await bus.ensureTopics([
      { name: 'old-topic', partitions: 1 },
      { name: 'my-topic', partitions: 1 },
      { name: 'orders-copy', partitions: 3 },
    ]);
    const consumer = await bus.consume({
      group: 'old-consumer',
      topics: ['my-topic'],
      handleBatch: () => Promise.resolve(),
    });
    await bus.publish('my-topic', [{ key: null, value: 'x' }]);
    await waitFor(
      'old-consumer committed',
      async () => (await bus.describeGroup('old-consumer')).lag,
      (lag) => lag.length === 1 && lag.every((p) => p.committedOffset === 1),
    );
    await consumer.stop();
    // Orders as the pipeline writes them, one JSON per line, for the --key-field example.
    const orders = (await Promise.all([0, 1, 2].map((p) => bus.read(TOPICS.orders, p, 0, 5)))).flat();
    writeFileSync(join(files, 'new-orders.jsonl'), orders.map((m) => Buffer.from(m.value).toString('utf8')).join('\n'));
  });
  afterAll(async () => {
    await connection.close();
    cli.remove();
    rmSync(files, { recursive: true, force: true });
  });

  /** Runs both processors (as `npm start` with SERVICES) until they consumed every topic to its end. */
  async function processEverything(): Promise<void> {
    const { bus, admin } = connection;
    await admin.resetGroupOffsets(GROUPS.queryProcessor, { to: 'earliest' }, [TOPICS.orders]);
    await admin.resetGroupOffsets(GROUPS.registryProcessor, { to: 'earliest' }, [TOPICS.orders, TOPICS.registry]);
    const processors = start(process.execPath, ['--no-allocation-site-pretenuring', launcher], {
      ...process.env,
      ...cli.environment,
      LOG_LEVEL: 'warn',
      SERVICES: 'query-processor,registry-processor',
      METRICS_PORT: '0',
    });
    try {
      const lag = async (group: string): Promise<number> =>
        (await bus.describeGroup(group)).lag.reduce((sum, p) => sum + p.lag, 0);
      await waitFor(
        'the processors to catch up',
        async () => [await lag(GROUPS.queryProcessor), await lag(GROUPS.registryProcessor)],
        (lags) => lags.every((l) => l === 0),
        60_000,
      );
    } finally {
      processors.child.kill('SIGTERM');
      await processors.finished;
    }
  }

  it('runs every example of the help against the embedded log, each succeeding', async () => {
    const lines = await helpExamples((argv) => cli.run(argv));
    expect(lines.length).toBeGreaterThan(40);
    expect(lines).toContain('kafka-monitor produce orders --key-field order-id < new-orders.jsonl');
    const failures: string[] = [];
    let processed = false;
    for (const line of lines) {
      const example = parseExample(line, files);
      // verify compares the store with the logs: first the processors apply everything the examples
      // before it wrote (a reset example moved the query processor past some of it: back to earliest).
      if (example.argv[0] === 'verify' && !processed) {
        await processEverything();
        processed = true;
      }
      // Following commands (consume, a paced test-data) run until Ctrl-C: give each a moment, then stop it.
      const interrupt = new AbortController();
      const timer = setTimeout(() => interrupt.abort(), 1_500);
      const run = await cli.run(example.argv, {
        interrupt: interrupt.signal,
        ...(example.input === undefined ? {} : { input: example.input }),
      });
      clearTimeout(timer);
      if (example.output !== undefined) writeFileSync(example.output, run.stdout);
      if (run.code !== 0 || /^kafka-monitor: /m.test(run.stderr))
        failures.push(`${line}: exit ${run.code} ${run.stderr}`);
    }
    expect(failures).toEqual([]);
    // The examples did what they say: peek wrote 100 orders as JSON lines, produce replayed them.
    const peeked = readFileSync(join(files, 'orders.jsonl'), 'utf8').trimEnd().split('\n');
    expect(peeked).toHaveLength(100);
    expect(JSON.parse(peeked[0] ?? '')).toMatchObject({ value: { 'order-id': expect.any(String) as unknown } });
    const copy = (await connection.bus.listTopics()).find((t) => t.name === 'orders-copy');
    expect(copy?.endOffsets.reduce((sum, end) => sum + end, 0)).toBe(100);
  }, 120_000);
});
