import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DependencyError, isBusAdminError } from '@kafka-monitor/domain';
import type { OffsetResetTarget } from '@kafka-monitor/domain';
import { ConfigError, type Config } from '@kafka-monitor/runtime';
import type { Adapters } from './adapters.js';
import { brokerConfig, brokerHealth } from './commands/broker.js';
import type { CommandContext } from './commands/context.js';
import { deleteGroup, describeGroup, listGroups, resetGroup, showLag } from './commands/groups.js';
import { consume, peek, produce } from './commands/messages.js';
import { testData } from './commands/test-data.js';
import {
  countMessages,
  createTopics,
  deleteTopic,
  describeTopic,
  listTopics,
  migrate,
  setup,
  topicConfig,
} from './commands/topics.js';
import { withDeadline } from './errors.js';
import { Session } from './session.js';
import { outputOf, type Terminal } from './terminal.js';

export interface CliDependencies {
  readonly terminal: Terminal;
  /** Read when a command runs, so `help` works even with a broken environment. */
  readonly loadConfig: () => Config;
  /** Chooses the adapters once the configuration and the timeout are known. */
  readonly adapters: (options: { pingTimeoutMs: number }) => Adapters;
  readonly now: () => number;
  readonly random: () => number;
  readonly newId: () => string;
}

/** Exit codes: 0 done, 1 the command failed, 2 the command line or the configuration is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const DEFAULT_TIMEOUT_SECONDS = 15;

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(`${name} must be a positive whole number.`);
    }
    return parsed;
  };
}

function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`${name} must be a number of at least 0.`);
    }
    return parsed;
  };
}

function fromBeginningFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError("expected 'true' (read from the beginning) or 'false'.");
}

/** ISO 8601 with at least a date ("2026-11-26", "2026-11-26T15:00:00Z"); anything looser is a typo. */
function isoTime(value: string): number {
  const parsed = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(parsed)) {
    throw new InvalidArgumentError('expected an ISO 8601 time such as 2026-11-26T15:00:00Z.');
  }
  return parsed;
}

const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

const ENVIRONMENT_HELP = `
Environment:
  BUS=embedded|kafka    which bus (default embedded: the SQLite log in DATA_DIR)
  DATA_DIR              where the embedded log and store live (default ./data)
  KAFKA_BROKERS         host:port list for BUS=kafka (KAFKA_BOOTSTRAP_SERVERS works too)
  KAFKA_SECURITY_PROTOCOL  PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL
  KAFKA_SASL_MECHANISM  PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with SASL_*)
  KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE
  KAFKA_SSL_CA_FILE     PEM CA bundle the brokers' certificates chain to (default: system CAs)
  KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE  client certificate and key, PEM (mutual TLS)
  KAFKA_SSL_KEY_PASSWORD or KAFKA_SSL_KEY_PASSWORD_FILE  passphrase of an encrypted key
  KAFKA_SSL_VERIFY_HOSTNAME  true (default) or false: check the broker's certificate names its address
  BUS_PREFIX            prefix of every topic and group name (default none)
  KAFKA_CLUSTER_NAME    cluster_name label of the services' lag metrics (default kafka-monitor)
  STORE=sqlite|cassandra  which store (migrate, setup)
  CASSANDRA_CONTACT_POINTS, CASSANDRA_PORT, CASSANDRA_DATACENTER  where Cassandra is
  CASSANDRA_USERNAME, CASSANDRA_PASSWORD or CASSANDRA_PASSWORD_FILE  PasswordAuthenticator
  CASSANDRA_SSL         true or false (default): TLS to the native port
  CASSANDRA_SSL_CA_FILE, CASSANDRA_SSL_CERT_FILE, CASSANDRA_SSL_KEY_FILE, CASSANDRA_SSL_VERIFY_HOSTNAME
  CASSANDRA_REPLICATION  dc1:3,dc2:2 (NetworkTopologyStrategy), else CASSANDRA_REPLICATION_FACTOR (default 1)
  PARTITIONS            partitions of the pipeline topics when setup creates them (default 3)
  A *_FILE variable names a file holding the secret (one trailing newline dropped); set it or the
  variable, not both. Secrets are never printed.

Exit codes: 0 done, 1 the command failed, 2 wrong arguments or configuration, including credentials
or TLS settings the bus or the store refused.
${examples(
  'kafka-monitor setup',
  'kafka-monitor test-data 10000 --rate 500',
  'kafka-monitor show-lag',
  'kafka-monitor consume orders true',
  'kafka-monitor reset-group-earliest query-processor',
  'BUS=kafka KAFKA_BROKERS=127.0.0.1:9092 kafka-monitor list-topics',
  './kafka.sh help peek',
)}`;

/**
 * Builds the command tree. Each action opens what it needs through a Session, runs under the
 * timeout unless it follows a stream, and always closes its connections.
 */
function buildProgram(dependencies: CliDependencies): Command {
  const { terminal } = dependencies;
  const program = new Command('kafka-monitor');
  // Set before the commands are added: subcommands copy these settings when they are created.
  program
    .description('Operate the kafka-monitor pipeline: topics, consumer groups, offsets, messages and test data.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => terminal.write(text), writeErr: (text) => terminal.writeError(text) })
    .showHelpAfterError()
    .addOption(
      new Option('--timeout <seconds>', 'give up when the bus does not answer within this time')
        .default(DEFAULT_TIMEOUT_SECONDS)
        .argParser(positiveInteger('--timeout')),
    )
    .addHelpText('after', ENVIRONMENT_HELP)
    .helpCommand('help [command]', 'show help for a command, with examples');

  type Work = (context: CommandContext) => Promise<void>;
  /** `follows`: the command runs until the operator stops it, so only connecting is timed. */
  const run = async (command: Command, work: Work, follows = false): Promise<void> => {
    const config = dependencies.loadConfig();
    const timeoutMs = (command.optsWithGlobals<{ timeout: number }>().timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const session = new Session(config, dependencies.adapters({ pingTimeoutMs: timeoutMs }), timeoutMs);
    const context: CommandContext = {
      config,
      session,
      terminal,
      out: outputOf(terminal),
      now: dependencies.now,
      random: dependencies.random,
      newId: dependencies.newId,
    };
    try {
      if (follows) await work(context);
      // One-shot commands are bounded too, so a bus that stops answering midway cannot hang them; twice
      // the timeout, because connecting alone may take one and its own message says more.
      else await withDeadline(work(context), 2 * timeoutMs, command.name());
    } finally {
      await session.close();
    }
  };

  const add = (name: string, description: string, ...exampleLines: string[]): Command =>
    program
      .command(name)
      .description(description)
      .addHelpText('after', examples(...exampleLines.map((e) => `kafka-monitor ${e}`)));

  add('setup', 'create the pipeline topics and apply the store schema', 'setup').action((_o, c: Command) =>
    run(c, setup),
  );
  add('create-topics', 'create the pipeline topics that are missing', 'create-topics').action((_o, c: Command) =>
    run(c, createTopics),
  );
  add('migrate', 'apply pending store schema migrations', 'migrate').action((_o, c: Command) => run(c, migrate));
  add('list-topics', 'list topics with partitions and message counts', 'list-topics').action((_o, c: Command) =>
    run(c, listTopics),
  );
  add('describe-topic', 'partitions, offsets and reading groups of a topic', 'describe-topic orders')
    .argument('<topic>')
    .action((topic: string, _o, c: Command) => run(c, (ctx) => describeTopic(ctx, topic)));
  add('delete-topic', 'delete a topic, its messages and the offsets committed on it', 'delete-topic orders.dlq')
    .argument('<topic>')
    .action((topic: string, _o, c: Command) => run(c, (ctx) => deleteTopic(ctx, topic)));
  add('topic-config', "show a topic's configuration", 'topic-config orders')
    .argument('<topic>')
    .action((topic: string, _o, c: Command) => run(c, (ctx) => topicConfig(ctx, topic)));
  add('list-groups', 'list consumer groups with members and lag', 'list-groups').action((_o, c: Command) =>
    run(c, listGroups),
  );
  add('describe-group', 'members, assignments and lag per partition of a group', 'describe-group query-processor')
    .argument('<group>')
    .action((group: string, _o, c: Command) => run(c, (ctx) => describeGroup(ctx, group)));
  add('delete-group', 'delete a stopped group and its committed offsets', 'delete-group old-consumer')
    .argument('<group>')
    .action((group: string, _o, c: Command) => run(c, (ctx) => deleteGroup(ctx, group)));
  add('show-lag', 'lag of every consumer group, per partition', 'show-lag', 'show-lag --json')
    .option('--json', 'print the figures as JSON')
    .action((options: { json?: boolean }, c: Command) => run(c, (ctx) => showLag(ctx, options)));

  const resetHelp =
    '\nRefused while the group has live members, as Kafka refuses: stop its consumers first. A consumer\n' +
    'that crashed leaves the group after the session timeout.\n';
  const addReset = (name: string, description: string, target: OffsetResetTarget): void => {
    add(name, description, `${name} query-processor`, `${name} my-group --topic orders`)
      .addHelpText('after', resetHelp)
      .argument('<group>')
      .option('--topic <topic...>', 'reset on these topics (default: the topics the group reads)')
      .action((group: string, options: { topic?: string[] }, c: Command) =>
        run(c, (ctx) => resetGroup(ctx, group, target, options)),
      );
  };
  addReset('reset-group', "move a group's offsets to the earliest message", { to: 'earliest' });
  addReset('reset-group-earliest', "move a group's offsets to the earliest message", { to: 'earliest' });
  addReset('reset-group-latest', "move a group's offsets to the end, skipping what is unread", { to: 'latest' });
  add(
    'reset-group-timestamp',
    "move a group's offsets to the first message at or after a time",
    'reset-group-timestamp query-processor 2026-11-26T15:00:00Z',
  )
    .addHelpText('after', resetHelp)
    .argument('<group>')
    .argument('<time>', 'ISO 8601 time', isoTime)
    .option('--topic <topic...>', 'reset on these topics (default: the topics the group reads)')
    .action((group: string, timestamp: number, options: { topic?: string[] }, c: Command) =>
      run(c, (ctx) => resetGroup(ctx, group, { to: 'timestamp', timestamp }, options)),
    );

  add(
    'consume',
    'print messages as they arrive, as readable JSON, until Ctrl-C; "true" starts from the beginning',
    'consume orders',
    'consume orders true',
    'consume registry true --max-messages 10',
  )
    .argument('<topic>')
    .argument('[from-beginning]', "'true' to start from the oldest message", fromBeginningFlag, false)
    .option('--from-beginning', 'same as the argument true')
    .option('--max-messages <n>', 'stop after this many messages', positiveInteger('--max-messages'))
    .action(
      (topic: string, fromBeginning: boolean, options: { fromBeginning?: boolean; maxMessages?: number }, c: Command) =>
        run(
          c,
          (ctx) =>
            consume(ctx, topic, {
              fromBeginning: fromBeginning || options.fromBeginning === true,
              ...(options.maxMessages === undefined ? {} : { maxMessages: options.maxMessages }),
            }),
          true,
        ),
    );
  add('peek', 'print the newest n messages of a topic (default 10)', 'peek orders', 'peek registry 3')
    .argument('<topic>')
    .argument('[n]', 'how many messages', positiveInteger('n'), 10)
    .option('--from-beginning', 'the oldest n instead')
    .action((topic: string, n: number, options: { fromBeginning?: boolean }, c: Command) =>
      run(c, (ctx) => peek(ctx, topic, n, options)),
    );
  add(
    'produce',
    'publish each line of standard input as one message',
    'produce orders --key-field order_id < orders.jsonl',
    'echo \'{"hello":1}\' | kafka-monitor produce my-topic --key k1',
  )
    .argument('<topic>')
    .option('--key <key>', 'the same key for every message')
    .option('--key-field <field>', "each message's key from this field of its JSON")
    .action((topic: string, options: { key?: string; keyField?: string }, c: Command) =>
      run(c, (ctx) => produce(ctx, topic, options), true),
    );
  add('count', 'number of messages in a topic', 'count orders')
    .argument('<topic>')
    .action((topic: string, _o, c: Command) => run(c, (ctx) => countMessages(ctx, topic)));
  add(
    'test-data',
    'send n valid orders (default 1000) through the producer path, with a progress bar',
    'test-data',
    'test-data 10000',
    'test-data 600 --rate 10',
  )
    .argument('[n]', 'how many orders', positiveInteger('n'), 1000)
    .option('--rate <per-second>', 'orders per second; 0 = as fast as possible', nonNegativeNumber('--rate'), 0)
    .action((n: number, options: { rate: number }, c: Command) => run(c, (ctx) => testData(ctx, n, options), true));
  add('broker-health', 'check that the bus answers and holds the pipeline topics', 'broker-health')
    .alias('check-health')
    .action((_o, c: Command) => run(c, brokerHealth));
  add('broker-config', "show the client's settings and the broker's configuration", 'broker-config')
    .alias('show-config')
    .action((_o, c: Command) => run(c, brokerConfig));

  return program;
}

function describeFailure(error: unknown): string {
  // A refused setting is explained in its own one line; the driver's words would only add noise.
  if (error instanceof DependencyError && error.misconfigured) return error.message;
  if (error instanceof DependencyError) {
    // The driver's own words help ("SQLITE_CANTOPEN", "ECONNREFUSED") unless the message already says them.
    const cause =
      error.cause instanceof Error && !error.message.includes(error.cause.message) ? error.cause.message : '';
    return `the ${error.dependency} failed: ${error.message}${cause === '' ? '' : ` (${cause})`}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs one command line and returns the exit code; never exits the process itself, so tests can call
 * it in-process. Every failure is printed as one clear line on standard error.
 */
export async function runCli(argv: readonly string[], dependencies: CliDependencies): Promise<number> {
  const program = buildProgram(dependencies);
  const fail = (text: string, code: number): number => {
    dependencies.terminal.writeError(`kafka-monitor: ${text}\n`);
    return code;
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Commander has printed its message and the usage already; help requested on purpose is a success.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ConfigError) return fail(error.message, EXIT.usage);
    if (isBusAdminError(error)) return fail(error.message, EXIT.failed);
    // Credentials, certificates or TLS refused by the bus or the store: the configuration is wrong.
    if (error instanceof DependencyError && error.misconfigured) return fail(describeFailure(error), EXIT.usage);
    return fail(describeFailure(error), EXIT.failed);
  }
}
