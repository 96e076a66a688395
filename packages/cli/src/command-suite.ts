import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type EventBus, type EventBusAdmin } from '@kafka-monitor/domain';
import { embeddedFiles } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { waitFor } from '@kafka-monitor/testkit';
import { cliHarness, countIn, type CliTarget, type TestBus } from './testing.js';

/**
 * A test per command, run in-process against one target: the embedded log (cli.test.ts, part of
 * `npm test`) or a real Kafka broker (cli.engine.test.ts, part of `npm run test:engines`). The same
 * assertions hold on both; where the bus decides a value (a topic's retention, a broker setting) the
 * test reads it through the admin port and checks the command prints exactly that.
 */
export function describeCliCommands(target: CliTarget): void {
  describe(`kafka-monitor commands on ${target.name}`, () => {
    const cli = cliHarness('cli-', target);
    let connection: TestBus;
    let bus: EventBus;
    let admin: EventBusAdmin;

    /** Runs a consumer of `group` on `topic` until it committed everything, then stops it. */
    async function drain(group: string, topic: string): Promise<void> {
      const consumer = await bus.consume({ group, topics: [topic], handleBatch: () => Promise.resolve() });
      await waitFor(
        `${group} caught up`,
        async () => (await bus.describeGroup(group)).lag,
        (lag) => lag.length > 0 && lag.every((p) => p.lag === 0),
        30_000,
      );
      await consumer.stop();
    }

    beforeAll(async () => {
      const setup = await cli.run(['setup']);
      expect(setup.code, setup.stderr).toBe(0);
      connection = await cli.openBus();
      bus = connection.bus;
      admin = connection.admin;
    });
    afterAll(async () => {
      await connection.close();
      cli.remove();
    });

    it('setup creates the pipeline topics and the store schema, and says so; again it changes nothing', async () => {
      const again = await cli.run(['setup']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/orders\s+already present/);
      expect(again.stdout).toMatch(/Store schema is up to date/);
      expect((await bus.listTopics()).map((t) => t.name)).toEqual(['orders', 'orders.dlq', 'registry', 'registry.dlq']);
    });

    it('create-topics recreates a deleted pipeline topic with the configured partitions', async () => {
      await bus.ensureTopics([{ name: 'scratch', partitions: 1 }]);
      await admin.deleteTopic(TOPICS.registry);
      const run = await cli.run(['create-topics'], { environment: { PARTITIONS: '2' } });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/registry\s+created \(2 partitions/);
      expect(run.stdout).toMatch(/orders\s+already present/);
      expect((await bus.listTopics()).find((t) => t.name === TOPICS.registry)?.partitions).toBe(2);
    });

    it('migrate applies the store schema to a new store', async () => {
      const fresh = cliHarness('cli-migrate-', target);
      const run = await fresh.run(['migrate']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Store schema is up to date \(SQLite store at .*store\.db\)/);
      const store = createSqliteStore({ file: embeddedFiles(fresh.dataDir).store, timelineRetention: 1_000 });
      await expect(store.views.totals()).resolves.toMatchObject({ totalOrders: 0 });
      await store.close();
      fresh.remove();
    });

    it('test-data sends valid orders through the producer path and records them as produced', async () => {
      const before = countIn((await cli.run(['count', 'orders'])).stdout);
      const run = await cli.run(['test-data', '250']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Produced 250 valid orders to orders in/);
      expect(countIn((await cli.run(['count', 'orders'])).stdout)).toBe(before + 250);
      const store = createSqliteStore({ file: embeddedFiles(cli.dataDir).store, timelineRetention: 1_000 });
      expect(await store.produced.recentProduced(1_000)).toHaveLength(before + 250);
      await store.close();
    });

    it('test-data --rate paces the orders', async () => {
      const startedAt = Date.now();
      const run = await cli.run(['test-data', '30', '--rate', '100']);
      expect(run.code).toBe(0);
      // 30 orders at 100/s cannot take less than ~0.3 s.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
      expect(run.stdout).toMatch(/Produced 30 valid orders/);
    });

    it('test-data refuses a missing orders topic with the command that creates it', async () => {
      const fresh = cliHarness('cli-empty-', target);
      const run = await fresh.run(['test-data', '5']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/topic 'orders' does not exist; run `kafka-monitor setup` first/);
      fresh.remove();
    });

    it('list-topics shows partitions and message counts', async () => {
      const run = await cli.run(['list-topics']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^topic\s+partitions\s+messages$/m);
      expect(run.stdout).toMatch(/^orders\s+3\s+[\d,]+$/m);
    });

    it('describe-topic shows offsets per partition and the groups reading it', async () => {
      await drain('describe-reader', TOPICS.orders);
      const run = await cli.run(['describe-topic', 'orders']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Topic orders: 3 partitions, [\d,]+ messages/);
      expect(run.stdout).toMatch(/^partition\s+earliest offset\s+end offset\s+messages$/m);
      expect(run.stdout).toMatch(/^describe-reader\s+0\s+0$/m);
      const missing = await cli.run(['describe-topic', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe("kafka-monitor: topic 'nope' does not exist\n");
    });

    it('topic-config shows the topic configuration as the bus reports it', async () => {
      const run = await cli.run(['topic-config', 'orders']);
      expect(run.code).toBe(0);
      const retention = (await admin.topicConfig('orders')).find((e) => e.name === 'retention.ms');
      expect(retention?.value).toMatch(/^-?\d+$/);
      expect(run.stdout).toMatch(
        new RegExp(
          `^retention\\.ms\\s+${retention?.value ?? '?'}\\s+${retention?.isDefault === true ? 'default' : 'set'}$`,
          'm',
        ),
      );
      expect((await cli.run(['topic-config', 'nope'])).code).toBe(1);
    });

    it('delete-topic removes a topic and its messages; a missing topic fails', async () => {
      await bus.ensureTopics([{ name: 'doomed', partitions: 1 }]);
      await bus.publish('doomed', [{ key: 'k', value: 'v' }]);
      const run = await cli.run(['delete-topic', 'doomed']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Deleted topic 'doomed'/);
      expect((await bus.listTopics()).map((t) => t.name)).not.toContain('doomed');
      const again = await cli.run(['delete-topic', 'doomed']);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/topic 'doomed' does not exist/);
    });

    it('count reports the messages of a topic', async () => {
      await bus.ensureTopics([{ name: 'counted', partitions: 2 }]);
      await bus.publish(
        'counted',
        Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      );
      const run = await cli.run(['count', 'counted']);
      expect(run.stdout).toBe('counted: 7 messages in 2 partitions\n');
      expect((await cli.run(['count', 'nope'])).code).toBe(1);
    });

    it('list-groups lists groups with members and lag', async () => {
      await drain('listed-group', TOPICS.orders);
      const run = await cli.run(['list-groups']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^listed-group\s+0\s+0$/m);
    });

    it('describe-group shows members, assignments and lag; an unknown group fails', async () => {
      const consumer = await bus.consume({
        group: 'described',
        topics: ['counted'],
        handleBatch: () => Promise.resolve(),
      });
      await waitFor(
        'caught up',
        async () => (await bus.describeGroup('described')).lag,
        (lag) => lag.length === 2 && lag.every((p) => p.lag === 0),
      );
      const run = await cli.run(['describe-group', 'described']);
      await consumer.stop();
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Group described: 1 live member, lag 0/);
      expect(run.stdout).toMatch(/member \S+: counted\[0\], counted\[1\]/);
      expect(run.stdout).toMatch(/^counted\s+1\s+[\d,]+\s+[\d,]+\s+0\s+-$/m);
      const unknown = await cli.run(['describe-group', 'nobody']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/group 'nobody' does not exist/);
    });

    it('delete-group deletes a stopped group, refuses a live one and an unknown one', async () => {
      await drain('to-delete', 'counted');
      const consumer = await bus.consume({ group: 'busy', topics: ['counted'], handleBatch: () => Promise.resolve() });
      const live = await cli.run(['delete-group', 'busy']);
      await consumer.stop();
      expect(live.code).toBe(1);
      expect(live.stderr).toMatch(/cannot delete group 'busy': it has 1 live member/);
      const run = await cli.run(['delete-group', 'to-delete']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Deleted group 'to-delete'/);
      expect(await admin.listGroups()).not.toContain('to-delete');
      expect((await cli.run(['delete-group', 'to-delete'])).code).toBe(1);
    });

    it('show-lag shows every pipeline group, as text and as JSON', async () => {
      const text = await cli.run(['show-lag']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^query-processor: lag [\d,]+, 0 live members$/m);
      expect(text.stdout).toMatch(/^registry-processor: lag [\d,]+, 0 live members$/m);
      const json = await cli.run(['show-lag', '--json']);
      const report = JSON.parse(json.stdout) as { group: string; lag: number; partitions: unknown[] }[];
      const query = report.find((g) => g.group === 'query-processor');
      expect(query?.lag).toBe(countIn((await cli.run(['count', 'orders'])).stdout));
      expect(query?.partitions).toHaveLength(3);
      expect(report.map((g) => g.group)).toContain('listed-group');
    });

    describe('offset resets', () => {
      const group = 'resettable';
      const topic = 'timed';
      const committed = async (): Promise<number[]> =>
        (await bus.describeGroup(group)).lag.map((p) => p.committedOffset);

      beforeAll(async () => {
        await bus.ensureTopics([{ name: topic, partitions: 1 }]);
        await bus.publish(
          topic,
          Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `m${i}`, timestamp: Date.UTC(2026, 0, 1, 0, i) })),
        );
        await drain(group, topic);
      });

      it('reset-group without --execute prints the plan and changes nothing, as text and as JSON', async () => {
        const before = await committed();
        expect(before).toEqual([10]);
        const plan = await cli.run(['reset-group', group, '--to-earliest']);
        expect(plan.code, plan.stderr).toBe(0);
        expect(plan.stdout).toMatch(
          /^Plan: reset group 'resettable' to earliest \(dry run, nothing changed; add --execute/m,
        );
        expect(plan.stdout).toMatch(/^topic\s+partition\s+current offset\s+new offset$/m);
        expect(plan.stdout).toMatch(/^timed\s+0\s+10\s+0$/m);
        const json = await cli.run(['reset-group', group, '--to-offset', '4', '--json']);
        expect(JSON.parse(json.stdout)).toEqual({
          group,
          target: { to: 'offset', offset: 4 },
          executed: false,
          partitions: [{ topic, partition: 0, currentOffset: 10, newOffset: 4 }],
        });
        expect(await committed()).toEqual(before);
      });

      it('reset-group --execute moves a stopped group to the target', async () => {
        const run = await cli.run(['reset-group', group, '--to-earliest', '--execute']);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/Reset group 'resettable' to earliest:/);
        expect(await committed()).toEqual([0]);
        const offset = await cli.run(['reset-group', group, '--to-offset', '99', '--execute', '--json']);
        expect(JSON.parse(offset.stdout)).toMatchObject({
          executed: true,
          partitions: [{ topic, partition: 0, currentOffset: 0, newOffset: 10 }],
        });
        expect(await committed()).toEqual([10]);
      });

      it('reset-group without a target, or with two, is a usage error and changes nothing', async () => {
        for (const argv of [
          ['reset-group', group],
          ['reset-group', group, '--execute'],
          ['reset-group', group, '--to-earliest', '--to-latest', '--execute'],
          ['reset-group', group, '--shift-by', '-1', '--by-duration', 'PT1H', '--execute'],
        ]) {
          const run = await cli.run(argv);
          expect(run.code).toBe(2);
          expect(run.stderr).toMatch(
            /reset-group needs exactly one target: --to-earliest, --to-latest, --to-datetime <time>, --to-offset <n>, --shift-by <n> or --by-duration <duration>/,
          );
          expect(run.stderr).toMatch(/Usage: kafka-monitor reset-group/);
        }
        const badOffset = await cli.run(['reset-group', group, '--to-offset', '-1', '--execute']);
        expect(badOffset.code).toBe(2);
        expect(await committed()).toEqual([10]);
      });

      it('reset-group-earliest and -latest plan, then move with --execute', async () => {
        const plan = await cli.run(['reset-group-earliest', group, '--topic', topic]);
        expect(plan.stdout).toMatch(/^Plan: /m);
        expect(await committed()).toEqual([10]);
        expect((await cli.run(['reset-group-earliest', group, '--topic', topic, '--execute'])).code).toBe(0);
        expect(await committed()).toEqual([0]);
        const latest = await cli.run(['reset-group-latest', group, '--execute']);
        expect(latest.code).toBe(0);
        expect(latest.stdout).toMatch(/^timed\s+0\s+0\s+10$/m);
        expect(await committed()).toEqual([10]);
      });

      it('reset-group-timestamp and --to-datetime move it to the first message at or after the time', async () => {
        const run = await cli.run(['reset-group-timestamp', group, '2026-01-01T00:06:30Z', '--execute']);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/first message at or after 2026-01-01T00:06:30\.000Z/);
        expect(await committed()).toEqual([7]);
        const plan = await cli.run(['reset-group', group, '--to-datetime', '2026-01-01T00:02:00Z']);
        expect(plan.stdout).toMatch(/^timed\s+0\s+7\s+2$/m);
        expect(await committed()).toEqual([7]);
        const bad = await cli.run(['reset-group-timestamp', group, 'last tuesday']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/expected an ISO 8601 time/);
        expect(bad.stderr).toMatch(/Usage: kafka-monitor reset-group-timestamp/);
      });

      it('reset-group --shift-by moves the committed offset by n, either way, kept within the partition', async () => {
        expect(await committed()).toEqual([7]);
        const plan = await cli.run(['reset-group', group, '--shift-by', '-3']);
        expect(plan.code, plan.stderr).toBe(0);
        expect(plan.stdout).toMatch(/^Plan: reset group 'resettable' to the committed offset minus 3 /m);
        expect(plan.stdout).toMatch(/^timed\s+0\s+7\s+4$/m);
        expect(await committed()).toEqual([7]);
        // Past the oldest message: the oldest, as Kafka clamps it.
        const back = await cli.run(['reset-group', group, '--shift-by=-30', '--execute', '--json']);
        expect(JSON.parse(back.stdout)).toEqual({
          group,
          target: { to: 'shift', by: -30 },
          executed: true,
          partitions: [{ topic, partition: 0, currentOffset: 7, newOffset: 0 }],
        });
        expect(await committed()).toEqual([0]);
        expect((await cli.run(['reset-group', group, '--shift-by', '4', '--execute'])).code).toBe(0);
        expect(await committed()).toEqual([4]);
        // Past the end: the end.
        const forward = await cli.run(['reset-group', group, '--shift-by', '+100', '--execute']);
        expect(forward.stdout).toMatch(/^timed\s+0\s+4\s+10$/m);
        expect(await committed()).toEqual([10]);
        const bad = await cli.run(['reset-group', group, '--shift-by', '1.5']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/--shift-by must be a whole number/);
        // Nothing to shift from: refused, as kafka-consumer-groups refuses it.
        const fresh = await cli.run(['reset-group', 'never-shifted', '--topic', topic, '--shift-by', '1', '--execute']);
        expect(fresh.code).toBe(1);
        expect(fresh.stderr).toMatch(
          /cannot shift the offset of group 'never-shifted' on topic 'timed' partition 0: it has no committed offset/,
        );
      });

      it('reset-group --by-duration moves it to the first message at or after that long before now', async () => {
        // Messages are a minute apart from 2026-01-01T00:00Z; going back to just before 00:06:30 finds 00:07, offset 7.
        const seconds = Math.floor((Date.now() - Date.UTC(2026, 0, 1, 0, 6, 30)) / 1000);
        const run = await cli.run(['reset-group', group, '--by-duration', `PT${seconds}S`, '--execute']);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(
          new RegExp(
            `^Reset group 'resettable' to the first message at or after 2026-01-01T00:06:[23]\\d\\.\\d{3}Z, PT${seconds}S before now:`,
            'm',
          ),
        );
        expect(await committed()).toEqual([7]);
        // Before every message: the oldest; after every message: the end of the log.
        const all = await cli.run(['reset-group', group, '--by-duration', 'p3650d', '--json']);
        expect(JSON.parse(all.stdout)).toMatchObject({
          target: { to: 'duration', duration: 'P3650D', milliseconds: 3650 * 86_400_000 },
          executed: false,
          partitions: [{ topic, partition: 0, currentOffset: 7, newOffset: 0 }],
        });
        const none = await cli.run(['reset-group', group, '--by-duration', 'PT0.5S', '--execute']);
        expect(none.stdout).toMatch(/^timed\s+0\s+7\s+10$/m);
        expect(await committed()).toEqual([10]);
        for (const text of ['P1M', 'PT', '-PT1H', '1h', 'P1W']) {
          const bad = await cli.run(['reset-group', group, '--by-duration', text]);
          expect(bad.code, text).toBe(2);
          expect(bad.stderr).toMatch(/expected an ISO 8601 duration PnDTnHnMnS/);
        }
        expect(await committed()).toEqual([10]);
      });

      it('every reset, plan or --execute, is refused with a clear message while the group has a live member', async () => {
        const consumer = await bus.consume({ group, topics: [topic], handleBatch: () => Promise.resolve() });
        try {
          for (const argv of [
            ['reset-group', group, '--to-earliest'],
            ['reset-group', group, '--to-earliest', '--execute'],
            ['reset-group-earliest', group, '--execute'],
            ['reset-group-latest', group, '--execute'],
            ['reset-group-timestamp', group, '2026-01-01T00:00:00Z', '--execute'],
          ]) {
            const run = await cli.run(argv);
            expect(run.code).toBe(1);
            expect(run.stderr).toMatch(/cannot reset the offsets of group 'resettable': it has 1 live member; stop/);
          }
        } finally {
          await consumer.stop();
        }
      });

      it('a group that never committed needs --topic', async () => {
        const run = await cli.run(['reset-group', 'never-committed', '--to-earliest']);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/has no committed offsets; name the topics/);
      });
    });

    it('produce publishes each non-empty stdin line, with keys from a JSON field', async () => {
      await bus.ensureTopics([{ name: 'typed', partitions: 3 }]);
      const run = await cli.run(['produce', 'typed', '--key-field', 'id'], {
        input: ['{"id":"a","n":1}', '', '{"id":"b","n":2}', '{"id":"a","n":3}'],
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/Produced 3 messages to typed/);
      const messages = (await Promise.all([0, 1, 2].map((p) => bus.read('typed', p, 0, 10)))).flat();
      expect(messages.map((m) => m.key).sort()).toEqual(['a', 'a', 'b']);
      const bad = await cli.run(['produce', 'typed', '--key-field', 'id'], { input: ['{"id":"c"}', 'not json'] });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/line 2 is not JSON/);
      expect(bad.stderr).toMatch(/Produced 0 messages/);
      const missing = await cli.run(['produce', 'nope'], { input: ['x'] });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/topic 'nope' does not exist/);
    });

    it('peek prints the newest n messages as readable JSON, or the oldest with --from-beginning', async () => {
      await bus.ensureTopics([{ name: 'peeked', partitions: 1 }]);
      await bus.publish(
        'peeked',
        Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i }), timestamp: 1000 + i })),
      );
      const newest = await cli.run(['peek', 'peeked', '2']);
      expect(newest.code).toBe(0);
      expect(newest.stdout).toBe(
        [
          '--- peeked[0] @3  1970-01-01T00:00:01.003Z  key=k3',
          '{\n  "n": 3\n}',
          '--- peeked[0] @4  1970-01-01T00:00:01.004Z  key=k4',
          '{\n  "n": 4\n}',
          '',
        ].join('\n'),
      );
      const oldest = await cli.run(['peek', 'peeked', '1', '--from-beginning']);
      expect(oldest.stdout).toMatch(/@0 .*key=k0/);
      const wrong = await cli.run(['peek', 'peeked', '0']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/n must be a positive whole number/);
    });

    it('consume true prints from the beginning, then follows new messages until Ctrl-C', async () => {
      await bus.ensureTopics([{ name: 'followed', partitions: 2 }]);
      await bus.publish('followed', [{ key: 'first', value: '{"step":1}' }]);
      const interrupt = new AbortController();
      let output = '';
      const running = cli.run(['consume', 'followed', 'true'], {
        interrupt: interrupt.signal,
        onOutput: (text) => (output = text),
      });
      await waitFor(
        'the existing message',
        () => output,
        (text) => text.includes('"step": 1'),
      );
      await bus.publish('followed', [{ key: 'second', value: Uint8Array.from([0xff, 0xfe]) }]);
      await waitFor(
        'the new message',
        () => output,
        (text) => text.includes('not UTF-8'),
      );
      interrupt.abort();
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/key=second\n<2 bytes, not UTF-8> base64:\/\/4=/);
      expect(run.stderr).toMatch(/Consumed 2 messages\./);
    });

    it('consume without true starts at the end; --max-messages stops it', async () => {
      let finished = false;
      const running = cli.run(['consume', 'followed', '--max-messages', '1']).finally(() => (finished = true));
      // It starts at the end, so only messages published after it looked count: keep publishing until one does.
      while (!finished) {
        await bus.publish('followed', [{ key: 'third', value: 'plain text' }]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/key=third\nplain text\n$/);
      expect((await cli.run(['consume', 'followed', 'maybe'])).code).toBe(2);
    });

    it('broker-health and check-health report a reachable bus and missing topics', async () => {
      for (const name of ['broker-health', 'check-health']) {
        const run = await cli.run([name]);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`Bus: ${target.busTarget.source} is reachable`));
        expect(run.stdout).toMatch(/Status: healthy/);
      }
      const fresh = cliHarness('cli-health-', target);
      const empty = await fresh.run(['broker-health']);
      expect(empty.stdout).toMatch(
        /Topics: missing orders, orders\.dlq, registry, registry\.dlq; run `kafka-monitor setup`/,
      );
      fresh.remove();
    });

    it('broker-config and show-config show the client settings and the broker configuration', async () => {
      const autoCreate = (await admin.brokerConfig()).find((e) => e.name === 'auto.create.topics.enable');
      // Topics are only ever created explicitly, on both buses.
      expect(autoCreate?.value).toBe('false');
      const source = autoCreate?.isDefault === true ? 'default' : 'set';
      for (const name of ['broker-config', 'show-config']) {
        const run = await cli.run([name]);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`^\\s+BUS\\s+${cli.config().bus}$`, 'm'));
        expect(run.stdout).toMatch(new RegExp(`^\\s+auto\\.create\\.topics\\.enable\\s+false\\s+${source}$`, 'm'));
      }
    });

    it('every command that lists or describes prints one JSON document with --json', async () => {
      await bus.ensureTopics([{ name: 'described-json', partitions: 2 }]);
      await bus.publish('described-json', [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
        { key: 'c', value: '3' },
      ]);
      await drain('json-reader', 'described-json');
      const json = async (argv: string[]): Promise<unknown> => {
        const run = await cli.run([...argv, '--json']);
        expect(run.code, `${argv.join(' ')}: ${run.stderr}`).toBe(0);
        return JSON.parse(run.stdout) as unknown;
      };
      expect(await json(['list-topics'])).toContainEqual({ topic: 'described-json', partitions: 2, messages: 3 });
      expect(await json(['describe-topic', 'described-json'])).toMatchObject({
        topic: 'described-json',
        messages: 3,
        partitions: [
          { partition: 0, earliest: 0 },
          { partition: 1, earliest: 0 },
        ],
        groups: [{ group: 'json-reader', members: 0, lag: 0 }],
      });
      const config = (await json(['topic-config', 'described-json'])) as { config: { name: string }[] };
      expect(config.config.map((e) => e.name)).toContain('retention.ms');
      expect(await json(['count', 'described-json'])).toEqual({ topic: 'described-json', partitions: 2, messages: 3 });
      expect(await json(['list-groups'])).toContainEqual({ group: 'json-reader', members: 0, lag: 0 });
      expect(await json(['describe-group', 'json-reader'])).toMatchObject({
        group: 'json-reader',
        state: 'empty',
        lag: 0,
        members: [],
      });
      expect(await json(['show-lag'])).toContainEqual(expect.objectContaining({ group: 'json-reader', lag: 0 }));
      expect(await json(['broker-health'])).toMatchObject({ reachable: true, missingTopics: [], status: 'healthy' });
      const brokerConfig = (await json(['broker-config'])) as { client: Record<string, string>; broker: unknown[] };
      expect(brokerConfig.client['BUS']).toBe(cli.config().bus);
      expect(brokerConfig.broker).toContainEqual(expect.objectContaining({ name: 'auto.create.topics.enable' }));
    });

    it('consume and peek --format json write one object per line that produce --format json reads back unchanged', async () => {
      await bus.ensureTopics([
        { name: 'original', partitions: 3 },
        { name: 'replayed', partitions: 3 },
      ]);
      await bus.publish('original', [
        { key: 'order-1', value: '{"order-id":"order-1","total":12.5}', headers: { trace: 't1' }, timestamp: 1_000 },
        { key: 'order-2', value: '{ "spaced": true }', timestamp: 2_000 },
        // Keyed: a keyless message goes to a partition of the bus's choosing (Kafka's may differ from the first time).
        { key: 'binary', value: Uint8Array.from([0xff, 0x00, 0xfe]), timestamp: 3_000 },
        { key: 'text', value: 'plain "quoted" text', timestamp: 4_000 },
        { key: 'string', value: '"a JSON string"', timestamp: 5_000 },
        { key: 'number', value: '42', timestamp: 6_000 },
      ]);
      const consumed = await cli.run(['consume', 'original', 'true', '--max-messages', '6', '--format', 'json']);
      expect(consumed.code, consumed.stderr).toBe(0);
      const lines = consumed.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(6);
      const first = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m['key'] === 'order-1');
      expect(first).toEqual({
        key: 'order-1',
        partition: expect.any(Number) as unknown,
        offset: 0,
        timestamp: 1_000,
        headers: { trace: 't1' },
        value: { 'order-id': 'order-1', total: 12.5 },
      });
      expect(lines).toContainEqual(expect.stringMatching(/"value":"\/wD\+","encoding":"base64"}$/));
      expect(lines).toContainEqual(expect.stringMatching(/"value":"\\"a JSON string\\""}$/));

      const produced = await cli.run(['produce', 'replayed', '--format', 'json'], { input: lines });
      expect(produced.code, produced.stderr).toBe(0);
      expect(produced.stderr).toMatch(/Produced 6 messages to replayed/);
      const replayed = await cli.run(['consume', 'replayed', 'true', '--max-messages', '6', '--format', 'json']);
      expect(replayed.stdout).toBe(consumed.stdout);
      const originals = (await Promise.all([0, 1, 2].map((p) => bus.read('original', p, 0, 10)))).flat();
      const copies = (await Promise.all([0, 1, 2].map((p) => bus.read('replayed', p, 0, 10)))).flat();
      const bytes = (m: { value: Uint8Array }): string => Buffer.from(m.value).toString('hex');
      expect(copies.map(bytes)).toEqual(originals.map(bytes));

      const peeked = await cli.run(['peek', 'replayed', '2', '--format', 'json']);
      expect(peeked.stdout.trimEnd().split('\n')).toEqual([
        lines.find((l) => l.includes('"string"')),
        lines.find((l) => l.includes('"number"')),
      ]);
    });

    it('produce --format json refuses a line it cannot read back exactly, naming the line', async () => {
      await bus.ensureTopics([{ name: 'strict', partitions: 1 }]);
      for (const [line, why] of [
        ['not json', /line 2: is not JSON/],
        ['{"key":"k"}', /line 2: has no value/],
        ['{"value":"v","vaule":"typo"}', /line 2: has unknown field\(s\) vaule/],
        ['{"value":"v","key":7}', /line 2: key must be a string or null/],
        ['{"value":"v","headers":{"h":1}}', /line 2: headers must be an object of strings/],
        ['{"value":"v","timestamp":-5}', /line 2: timestamp must be epoch milliseconds/],
        ['{"value":"%%","encoding":"base64"}', /line 2: value must be base64/],
      ] as const) {
        const run = await cli.run(['produce', 'strict', '--format', 'json'], { input: ['{"value":"ok"}', line] });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(why);
      }
      const conflict = await cli.run(['produce', 'strict', '--format', 'json', '--key', 'k'], { input: [] });
      expect(conflict.code).toBe(2);
      expect(conflict.stderr).toMatch(/--format json takes each key from its line/);
      const badFormat = await cli.run(['peek', 'strict', '--format', 'yaml']);
      expect(badFormat.code).toBe(2);
      expect(badFormat.stderr).toMatch(/Allowed choices are text, json/);
    });
  });
}
