import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus, type EmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { DependencyError, type EventBus } from '@kafka-monitor/domain';
import { CONFIG_VARIABLES, embeddedFiles } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { adaptersFromConfig, asEventBusAdmin, type Adapters } from './adapters.js';
import { describeCliCommands } from './command-suite.js';
import { cliHarness, embeddedTarget } from './testing.js';

// Every command against the embedded log; cli.engine.test.ts runs the same suite against Kafka.
describeCliCommands(embeddedTarget);

/** What does not depend on the bus: help, usage errors, configuration, unreachable or broken buses. */
describe('kafka-monitor usage and failures', () => {
  const cli = cliHarness();
  let bus: EmbeddedEventBus;

  beforeAll(async () => {
    expect((await cli.run(['setup'])).code).toBe(0);
    bus = createEmbeddedEventBus({ file: embeddedFiles(cli.dataDir).log, pollIntervalMs: 10 });
  });
  afterAll(async () => {
    await bus.close();
    cli.remove();
  });

  it('help lists every command with examples; help <command> and --help show its examples', async () => {
    const help = await cli.run(['help']);
    expect(help.code).toBe(0);
    for (const command of [
      'setup',
      'create-topics',
      'list-topics',
      'describe-topic',
      'delete-topic',
      'topic-config',
      'list-groups',
      'describe-group',
      'delete-group',
      'show-lag',
      'reset-group ',
      'reset-group-earliest',
      'reset-group-latest',
      'reset-group-timestamp',
      'consume',
      'peek',
      'produce',
      'count',
      'test-data',
      'broker-health|check-health',
      'broker-config|show-config',
      'migrate',
      'trace',
    ]) {
      expect(help.stdout).toContain(`  ${command}`);
    }
    expect(help.stdout).toMatch(/Examples:\n {2}\$ kafka-monitor setup/);
    const peekHelp = await cli.run(['help', 'peek']);
    expect(peekHelp.stdout).toMatch(/\$ kafka-monitor peek registry 3/);
    const resetHelp = await cli.run(['reset-group-latest', '--help']);
    expect(resetHelp.code).toBe(0);
    expect(resetHelp.stdout).toMatch(/Without --execute a reset only prints its plan/);
    expect(resetHelp.stdout).toMatch(/Refused, plan or not, while the group\nhas live members/);
  });

  it('wrong arguments print the usage and exit 2', async () => {
    for (const argv of [
      [],
      ['nope'],
      ['describe-topic'],
      ['count', 'a', 'b'],
      ['test-data', '-3'],
      ['--timeout', '0', 'list-topics'],
    ]) {
      const run = await cli.run(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toMatch(/Usage: kafka-monitor/);
    }
  });

  it('rebuild-views while another rebuild holds the lease exits 1 and says one is already running', async () => {
    const store = createSqliteStore({ file: embeddedFiles(cli.dataDir).store });
    try {
      expect(await store.viewGenerations.acquireLease('monitor@elsewhere:1', Date.now(), 60_000)).toBe(true);
      const run = await cli.run(['rebuild-views']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/a rebuild of the views is already running \(monitor@elsewhere:1, lease until /);
      // Nothing was switched: the views still answer from the generation they had.
      expect(await store.viewGenerations.pointer({ fresh: true })).toMatchObject({ reads: 0, writes: 0 });
    } finally {
      await store.viewGenerations.releaseLease('monitor@elsewhere:1');
      await store.close();
    }
  });

  it('a bad configuration is reported with every problem and exits 2', async () => {
    const run = await cli.run(['list-topics'], { environment: { BUS: 'rabbit', PARTITIONS: 'many' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/BUS must be one of embedded, kafka; got 'rabbit'/);
    expect(run.stderr).toMatch(/PARTITIONS must be an integer/);
  });

  it('BUS=kafka without the Kafka adapter fails with a clear message', async () => {
    const run = await cli.run(['list-topics'], {
      environment: { BUS: 'kafka' },
      adapters: (options) => adaptersFromConfig({ ...options, kafkaPackage: '@kafka-monitor/no-such-adapter' }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /BUS=kafka needs the Kafka adapter \(@kafka-monitor\/no-such-adapter\), which is not available/,
    );
  });

  it('an unreachable bus fails within the timeout instead of hanging', async () => {
    const silent: EventBus = {
      ...bus,
      ping: () => new Promise<void>(() => undefined),
      close: () => Promise.resolve(),
    };
    const unreachable = (): Adapters => ({
      openBus: () =>
        Promise.resolve({
          bus: silent,
          admin: asEventBusAdmin(silent),
          target: 'a silent broker',
          close: () => Promise.resolve(),
        }),
      openStore: () => Promise.reject(new Error('unused')),
    });
    for (const argv of [
      ['--timeout', '1', 'list-topics'],
      ['--timeout', '1', 'consume', 'orders'],
    ]) {
      const startedAt = Date.now();
      const run = await cli.run(argv, { adapters: unreachable });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the bus \(a silent broker\) did not finish within 1 s; is the bus reachable\?/);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
    }
  });

  it('a bus that cannot be opened fails with the reason', async () => {
    // A data directory under a regular file cannot be created.
    const file = join(cli.dataDir, 'not-a-directory');
    writeFileSync(file, '');
    const run = await cli.run(['list-topics'], { environment: { DATA_DIR: join(file, 'data') } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^kafka-monitor: the bus failed: cannot open the embedded log at .*log\.db \(ENOTDIR/);
  });
});

/** Secured settings: what broker-config shows, and refused settings as configuration errors. */
describe('kafka-monitor with secured connections', () => {
  const cli = cliHarness();
  const password = 'Known-Cli-Pa55word-91c2';
  const caFile = join(cli.dataDir, 'ca.pem');
  const passwordFile = join(cli.dataDir, 'cassandra-password');
  const servers: Server[] = [];
  beforeAll(() => {
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n');
    writeFileSync(passwordFile, `${password}\n`);
  });
  afterAll(() => {
    for (const server of servers) server.close();
    cli.remove();
  });
  const secured = {
    BUS: 'kafka',
    KAFKA_BROKERS: '127.0.0.1:1',
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'monitor',
    KAFKA_SASL_PASSWORD: password,
    KAFKA_SSL_CA_FILE: caFile,
    STORE: 'cassandra',
    CASSANDRA_USERNAME: 'cassandra-user',
    CASSANDRA_PASSWORD_FILE: passwordFile,
    CASSANDRA_SSL: 'true',
    CASSANDRA_SSL_VERIFY_HOSTNAME: 'false',
    CASSANDRA_DATACENTER: 'dc1',
    CASSANDRA_REPLICATION: 'dc1:3,dc2:2',
  };

  it('Given a refused password, then broker-config shows the settings but no secret, and exits 2 with one line', async () => {
    const refusing = (): Adapters => ({
      openBus: () =>
        Promise.reject(
          new DependencyError('bus', 'kafka: SASL authentication failed (wrong user name or password?)', {
            misconfigured: true,
          }),
        ),
      openStore: () => Promise.reject(new Error('unused')),
    });
    const run = await cli.run(['broker-config'], { environment: secured, adapters: refusing });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('kafka-monitor: kafka: SASL authentication failed (wrong user name or password?)\n');
    for (const row of [
      /KAFKA_SECURITY_PROTOCOL\s+SASL_SSL/,
      /KAFKA_SASL_MECHANISM\s+SCRAM-SHA-512/,
      /KAFKA_SASL_USERNAME\s+monitor/,
      /KAFKA_SASL_PASSWORD\s+\(set, not shown\)/,
      new RegExp(`KAFKA_SSL_CA_FILE\\s+${caFile}`),
      /KAFKA_SSL_CERT_FILE\s+\(none\)/,
      /certificate verification\s+on, server name verified/,
      /CASSANDRA_USERNAME\s+cassandra-user/,
      /CASSANDRA_PASSWORD\s+\(set, not shown\)/,
      /CASSANDRA_SSL_CA_FILE\s+\(system CAs\)/,
      /certificate verification\s+on, server name NOT verified/,
      /replication\s+NetworkTopologyStrategy, dc1:3,dc2:2/,
    ]) {
      expect(run.stdout).toMatch(row);
    }
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('Given TLS against a listener that hangs up (a plaintext one), then the real adapter names it and exits 2 within the timeout', async () => {
    const server = createServer((socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const startedAt = Date.now();
    const run = await cli.run(['--timeout', '5', 'list-topics'], {
      environment: {
        BUS: 'kafka',
        KAFKA_BROKERS: `127.0.0.1:${(server.address() as AddressInfo).port}`,
        KAFKA_SECURITY_PROTOCOL: 'SSL',
      },
    });
    expect(run.stderr).toBe(
      'kafka-monitor: kafka: the broker hung up during the TLS handshake (is the listener plaintext? ' +
        'set KAFKA_SECURITY_PROTOCOL=PLAINTEXT or SASL_PLAINTEXT)\n',
    );
    expect(run.code).toBe(2);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('Given an unknown SASL mechanism, then one line names the allowed ones and it exits 2', async () => {
    const run = await cli.run(['list-topics'], { environment: { ...secured, KAFKA_SASL_MECHANISM: 'GSSAPI' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; got 'GSSAPI'",
    );
    expect(run.stderr).not.toContain(password);
  });

  it('help lists every variable of the configuration table with its default, and no secret value', async () => {
    const help = await cli.run(['help'], { environment: { MONITOR_API_TOKEN: 'token-never-shown' } });
    for (const variable of CONFIG_VARIABLES) {
      expect(help.stdout).toMatch(new RegExp(`^  ${variable.name} +\\S`, 'm'));
    }
    expect(help.stdout).toMatch(/^ {2}PARTITIONS +partitions of orders .*\(default: 3\)$/m);
    expect(help.stdout).toMatch(/^ {2}KAFKA_SASL_PASSWORD +.*\[secret\]$/m);
    expect(help.stdout).not.toContain('token-never-shown');
  });

  it('--version and -V print the version of the package', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const run = await cli.run([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`kafka-monitor ${manifest.version}\n`);
    }
  });

  it('-b and --bootstrap-server choose Kafka at those brokers over BUS and KAFKA_BROKERS', async () => {
    const seen: { bus: string; brokers: readonly string[] }[] = [];
    const recording = (): Adapters => ({
      openBus: (config) => {
        seen.push({ bus: config.bus, brokers: config.kafkaBrokers });
        return Promise.reject(new Error('not connecting in this test'));
      },
      openStore: () => Promise.reject(new Error('unused')),
    });
    const environment = { BUS: 'embedded', KAFKA_BROKERS: 'from-env:9092' };
    await cli.run(['-b', 'k1:9092,k2:9093', 'list-topics'], { adapters: recording, environment });
    await cli.run(['--bootstrap-server', '[::1]:9092', 'count', 'orders'], { adapters: recording, environment });
    await cli.run(['list-topics'], { adapters: recording, environment });
    expect(seen).toEqual([
      { bus: 'kafka', brokers: ['k1:9092', 'k2:9093'] },
      { bus: 'kafka', brokers: ['[::1]:9092'] },
      { bus: 'embedded', brokers: ['from-env:9092'] },
    ]);
    for (const bad of ['', 'no-port', 'host:0', 'a:9092,b']) {
      const run = await cli.run(['-b', bad, 'list-topics'], { adapters: recording });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/expected host:port\[,host:port\.\.\.\]/);
    }
    expect(seen).toHaveLength(3);
  });
});
