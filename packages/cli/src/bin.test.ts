import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { embeddedFiles } from '@kafka-monitor/runtime';
import { waitFor } from '@kafka-monitor/testkit';
import { binary, kafkaMonitor, start } from './spawn.js';
import { cliHarness, countIn } from './testing.js';

/** The real binary, as `npx kafka-monitor` and `./kafka.sh` run it, in child processes. */
// Each spawn is a whole node process on two shared cores, hence the long timeout.
describe('the kafka-monitor binary', { timeout: 120_000 }, () => {
  const data = cliHarness('cli-bin-');
  const environment = { ...process.env, LOG_LEVEL: 'warn', DATA_DIR: data.dataDir };
  afterAll(() => data.remove());

  it('npx kafka-monitor and ./kafka.sh both answer help with examples', async () => {
    const viaNpx = await start('npx', ['--no-install', 'kafka-monitor', 'help'], environment).finished;
    expect(viaNpx.code).toBe(0);
    expect(viaNpx.stdout).toMatch(/Usage: kafka-monitor/);
    expect(viaNpx.stdout).toMatch(/Examples:/);
    const viaScript = await start('./kafka.sh', ['help', 'reset-group-timestamp'], environment).finished;
    expect(viaScript.code).toBe(0);
    expect(viaScript.stdout).toMatch(/\$ kafka-monitor reset-group-timestamp query-processor 2026-11-26T15:00:00Z/);
  });

  it('wrong arguments print the usage and exit non-zero', async () => {
    const run = await start('./kafka.sh', ['describe-topic'], environment).finished;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: missing required argument 'topic'/);
    expect(run.stderr).toMatch(/Usage: kafka-monitor describe-topic/);
  });

  it('test-data 10000 adds 10,000 orders to what count orders reports', async () => {
    expect((await kafkaMonitor(['setup'], environment)).code).toBe(0);
    expect((await kafkaMonitor(['test-data', '100'], environment)).code).toBe(0);
    const before = countIn((await kafkaMonitor(['count', 'orders'], environment)).stdout);
    expect(before).toBe(100);
    const sent = await kafkaMonitor(['test-data', '10000'], environment);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/Produced 10,000 valid orders to orders in/);
    const after = await kafkaMonitor(['count', 'orders'], environment);
    expect(after.stdout).toBe('orders: 10,100 messages in 3 partitions\n');
    expect(countIn(after.stdout) - before).toBe(10_000);
  });

  it('consume follows new messages until Ctrl-C, then reports and exits 0', async () => {
    const consumer = start(process.execPath, [binary, 'consume', 'orders.dlq'], environment);
    await waitFor(
      'the consumer started',
      () => consumer.output().stderr,
      (text) => text.includes('Consuming orders.dlq from the end'),
      20_000,
    );
    const bus = createEmbeddedEventBus({ file: embeddedFiles(data.dataDir).log });
    await waitFor(
      'the message printed',
      async () => {
        // Published until seen: the consumer reads from the end it found when it started.
        if (!consumer.output().stdout.includes('"followed": true')) {
          await bus.publish('orders.dlq', [{ key: 'k', value: '{"followed":true}' }]);
        }
        return consumer.output().stdout;
      },
      (text) => text.includes('"followed": true'),
      20_000,
    );
    await bus.close();
    consumer.child.kill('SIGINT');
    const run = await consumer.finished;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Consumed \d+ messages?\./);
  });

  it('an unreachable Kafka broker fails within the timeout, never hangs', async () => {
    const run = await kafkaMonitor(['--timeout', '2', 'list-topics'], {
      ...environment,
      BUS: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    expect(run.code).toBe(1);
    // The compiled CLI carries the Kafka adapter (a chunk of its own): the ping fails, it is not missing.
    expect(run.stderr).toMatch(/^kafka-monitor: (the bus failed|the bus .* did not finish)/);
    expect(run.stderr).not.toMatch(/BUS=kafka needs/);
    expect(run.elapsedMs).toBeLessThan(15_000);
  });
});
