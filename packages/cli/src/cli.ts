import { Command, CommanderError, Option } from 'commander';
import { DependencyError, isBusAdminError } from '@kafka-monitor/domain';
import type { OffsetResetTarget } from '@kafka-monitor/domain';
import { ConfigError, type Config } from '@kafka-monitor/runtime';
import type { Adapters } from './adapters.js';
import { brokerConfig, brokerHealth } from './commands/broker.js';
import type { CommandContext, JsonOption } from './commands/context.js';
import { deleteGroup, describeGroup, listGroups, resetGroup, showLag, type ResetRequest } from './commands/groups.js';
import { consume, MESSAGE_FORMATS, peek, produce, type MessageFormat } from './commands/messages.js';
import { testData } from './commands/test-data.js';
import { verify } from './commands/verify.js';
import { rebuildViews, type RebuildOptions } from './commands/rebuild.js';
import { trace, type TraceOptions } from './commands/trace.js';
import {
  countMessages,
  createTopics,
  deleteTopic,
  describeTopic,
  listTopics,
  migrate,
  setup,
  topicConfig,
  alterTopicConfig,
  type AlterConfigOptions,
} from './commands/topics.js';
import { withDeadline } from './errors.js';
import { environmentHelp, examples, EXIT_CODES_HELP, KAFKA_HELP } from './help.js';
import {
  brokerList,
  fromBeginningFlag,
  isoDuration,
  isoTime,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  signedInteger,
  type ParsedDuration,
} from './parsers.js';
import { CLI_VERSION } from './version.js';
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

interface GlobalOptions {
  readonly timeout?: number;
  readonly bootstrapServer?: string[];
}

const TOP_EXAMPLES = examples(
  'kafka-monitor setup',
  'kafka-monitor test-data 1000 --rate 500',
  'kafka-monitor show-lag',
  'kafka-monitor consume orders --from-beginning --max-messages 5 --format json',
  'kafka-monitor reset-group query-processor --to-earliest',
  './kafka.sh help peek',
);

const RESET_HELP = `
Without --execute a reset only prints its plan (current and new offset per partition) and changes
nothing, as kafka-consumer-groups --reset-offsets --dry-run. Refused, plan or not, while the group
has live members, as Kafka refuses: stop its consumers first. A consumer that crashed leaves the
group after the session timeout.
`;

const TRACE_HELP = `
Reads the store and the log directly, as GET /api/orders/{id}/journey does. An order no store has
processed yet is searched on its partition of orders (by its key), from the oldest offset its
consumers have not processed, reading at most 10,000 messages; the output says what was searched.
`;

interface ResetFlags {
  readonly topic?: string[];
  readonly execute?: boolean;
  readonly json?: boolean;
}

interface TargetFlags {
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  readonly toDatetime?: number;
  readonly toOffset?: number;
  readonly shiftBy?: number;
  readonly byDuration?: ParsedDuration;
}

/** Every target given; kafka-consumer-groups, like reset-group, needs exactly one. */
function targetsOf(flags: TargetFlags): ResetRequest[] {
  const targets: ResetRequest[] = [];
  if (flags.toEarliest === true) targets.push({ to: 'earliest' });
  if (flags.toLatest === true) targets.push({ to: 'latest' });
  if (flags.toDatetime !== undefined) targets.push({ to: 'timestamp', timestamp: flags.toDatetime });
  if (flags.toOffset !== undefined) targets.push({ to: 'offset', offset: flags.toOffset });
  if (flags.shiftBy !== undefined) targets.push({ to: 'shift', by: flags.shiftBy });
  if (flags.byDuration !== undefined) {
    targets.push({ to: 'duration', duration: flags.byDuration.text, milliseconds: flags.byDuration.milliseconds });
  }
  return targets;
}

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
    .version(`kafka-monitor ${CLI_VERSION}`, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeOut: (text) => terminal.write(text), writeErr: (text) => terminal.writeError(text) })
    .showHelpAfterError()
    .addOption(
      new Option(
        '-b, --bootstrap-server <host:port,...>',
        'use Kafka at these brokers (over BUS and KAFKA_BROKERS)',
      ).argParser(brokerList),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up when the bus does not answer within this time')
        .default(DEFAULT_TIMEOUT_SECONDS)
        .argParser(positiveInteger('--timeout')),
    )
    .addHelpText('after', `${environmentHelp()}${EXIT_CODES_HELP}${KAFKA_HELP}${TOP_EXAMPLES}`)
    .helpCommand('help [command]', 'show help for a command, with examples');

  type Work = (context: CommandContext) => Promise<void>;
  /** `follows`: the command runs until the operator stops it, so only connecting is timed. */
  const run = async (command: Command, work: Work, follows = false): Promise<void> => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const loaded = dependencies.loadConfig();
    // Like Kafka's tools and kcat: brokers on the command line win over the environment.
    const config: Config =
      globals.bootstrapServer === undefined
        ? loaded
        : { ...loaded, bus: 'kafka', kafkaBrokers: globals.bootstrapServer };
    const timeoutMs = (globals.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
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
      .addHelpText(
        'after',
        examples(...exampleLines.map((e) => (e.includes('kafka-monitor') ? e : `kafka-monitor ${e}`))),
      );
  /** A command that lists or describes: tables by default, one JSON document with --json. */
  const addListing = (name: string, description: string, ...exampleLines: string[]): Command =>
    add(name, description, ...exampleLines).option('--json', 'print one JSON document instead of tables');
  const formatOption = (what: string): Option =>
    new Option('--format <format>', what).choices(MESSAGE_FORMATS).default('text');

  add('setup', 'create the pipeline topics and apply the store schema', 'setup').action((_o, c: Command) =>
    run(c, setup),
  );
  add('create-topics', 'create the pipeline topics that are missing', 'create-topics').action((_o, c: Command) =>
    run(c, createTopics),
  );
  add('migrate', 'apply pending store schema migrations', 'migrate').action((_o, c: Command) => run(c, migrate));
  addListing(
    'list-topics',
    'list topics with partitions and message counts',
    'list-topics',
    'list-topics --json',
  ).action((options: JsonOption, c: Command) => run(c, (ctx) => listTopics(ctx, options)));
  addListing(
    'describe-topic',
    'partitions, offsets and reading groups of a topic',
    'describe-topic orders',
    'describe-topic registry --json',
  )
    .argument('<topic>')
    .action((topic: string, options: JsonOption, c: Command) => run(c, (ctx) => describeTopic(ctx, topic, options)));
  add('delete-topic', 'delete a topic, its messages and the offsets committed on it', 'delete-topic old-topic')
    .argument('<topic>')
    .action((topic: string, _o, c: Command) => run(c, (ctx) => deleteTopic(ctx, topic)));
  addListing('topic-config', "show a topic's configuration", 'topic-config orders', 'topic-config orders --json')
    .argument('<topic>')
    .action((topic: string, options: JsonOption, c: Command) => run(c, (ctx) => topicConfig(ctx, topic, options)));
  add(
    'alter-topic-config',
    "set or remove a topic's settings (retention.ms, retention.bytes), as kafka-configs --alter",
    'alter-topic-config orders --add-config retention.ms=86400000,retention.bytes=536870912',
    'alter-topic-config orders --delete-config retention.bytes',
  )
    .argument('<topic>')
    .option('--add-config <settings>', 'name=value pairs separated by commas')
    .option('--delete-config <names>', 'names separated by commas, back to the default')
    .action((topic: string, options: AlterConfigOptions, c: Command) =>
      run(c, (ctx) => alterTopicConfig(ctx, topic, options)),
    );
  addListing('list-groups', 'list consumer groups with members and lag', 'list-groups', 'list-groups --json').action(
    (options: JsonOption, c: Command) => run(c, (ctx) => listGroups(ctx, options)),
  );
  addListing(
    'describe-group',
    'members, assignments and lag per partition of a group',
    'describe-group query-processor',
    'describe-group registry-processor --json',
  )
    .argument('<group>')
    .action((group: string, options: JsonOption, c: Command) => run(c, (ctx) => describeGroup(ctx, group, options)));
  add('delete-group', 'delete a stopped group and its committed offsets', 'delete-group old-consumer')
    .argument('<group>')
    .action((group: string, _o, c: Command) => run(c, (ctx) => deleteGroup(ctx, group)));
  addListing('show-lag', 'lag of every consumer group, per partition', 'show-lag', 'show-lag --json').action(
    (options: JsonOption, c: Command) => run(c, (ctx) => showLag(ctx, options)),
  );

  /** What every reset shares: the group, --topic, --execute (else only the plan) and --json. */
  const withResetOptions = (command: Command): Command =>
    command
      .addHelpText('after', RESET_HELP)
      .argument('<group>')
      .option('--topic <topic...>', 'reset on these topics (default: the topics the group reads)')
      .option('--execute', 'apply the reset (without it, only the plan is printed)')
      .option('--json', 'print the plan or the result as one JSON document');
  const runReset = (c: Command, group: string, target: ResetRequest, flags: ResetFlags): Promise<void> =>
    run(c, (ctx) =>
      resetGroup(ctx, group, target, {
        ...(flags.topic === undefined ? {} : { topic: flags.topic }),
        execute: flags.execute === true,
        json: flags.json === true,
      }),
    );

  withResetOptions(
    add(
      'reset-group',
      "move a stopped group's offsets: --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by or --by-duration",
      'reset-group query-processor --to-earliest',
      'reset-group query-processor --to-datetime 2026-11-26T15:00:00Z --execute',
      'reset-group my-group --topic orders --to-offset 0 --json',
      'reset-group query-processor --shift-by -100',
      'reset-group registry-processor --by-duration PT30M --execute',
    ),
  )
    .option('--to-earliest', 'the oldest kept message')
    .option('--to-latest', 'the end of the log, skipping what is unread')
    .option('--to-datetime <time>', 'the first message at or after this ISO 8601 time', isoTime)
    .option('--to-offset <offset>', 'this offset, kept within each partition', nonNegativeInteger('--to-offset'))
    .option(
      '--shift-by <n>',
      'the committed offset plus n (negative: back), kept within each partition',
      signedInteger('--shift-by'),
    )
    .option(
      '--by-duration <duration>',
      'the first message at or after this ISO 8601 duration (PnDTnHnMnS) before now',
      isoDuration,
    )
    .action((group: string, flags: ResetFlags & TargetFlags, c: Command) => {
      const [target, ...others] = targetsOf(flags);
      if (target === undefined || others.length > 0) {
        c.error(
          'error: reset-group needs exactly one target: --to-earliest, --to-latest, --to-datetime <time>, --to-offset <n>, --shift-by <n> or --by-duration <duration>',
          { code: 'kafka-monitor.resetTarget', exitCode: EXIT.usage },
        );
      }
      return runReset(c, group, target ?? { to: 'earliest' }, flags);
    });
  const addReset = (name: string, description: string, target: OffsetResetTarget): void => {
    withResetOptions(add(name, description, `${name} query-processor`, `${name} query-processor --execute`)).action(
      (group: string, flags: ResetFlags, c: Command) => runReset(c, group, target, flags),
    );
  };
  addReset('reset-group-earliest', 'reset-group --to-earliest', { to: 'earliest' });
  addReset('reset-group-latest', 'reset-group --to-latest', { to: 'latest' });
  withResetOptions(
    add(
      'reset-group-timestamp',
      'reset-group --to-datetime <time>',
      'reset-group-timestamp query-processor 2026-11-26T15:00:00Z',
    ),
  )
    .argument('<time>', 'ISO 8601 time', isoTime)
    .action((group: string, timestamp: number, flags: ResetFlags, c: Command) =>
      runReset(c, group, { to: 'timestamp', timestamp }, flags),
    );

  add(
    'consume',
    'print messages as they arrive until Ctrl-C; "true" starts from the beginning',
    'consume orders',
    'consume orders true',
    'consume registry --from-beginning --max-messages 10 --format json',
  )
    .argument('<topic>')
    .argument('[from-beginning]', "'true' to start from the oldest message", fromBeginningFlag, false)
    .option('--from-beginning', 'same as the argument true')
    .option('--max-messages <n>', 'stop after this many messages', positiveInteger('--max-messages'))
    .addOption(
      formatOption('text: readable; json: one object per line (key, partition, offset, timestamp, headers, value)'),
    )
    .action(
      (
        topic: string,
        fromBeginning: boolean,
        options: { fromBeginning?: boolean; maxMessages?: number; format: MessageFormat },
        c: Command,
      ) =>
        run(
          c,
          (ctx) =>
            consume(ctx, topic, {
              fromBeginning: fromBeginning || options.fromBeginning === true,
              format: options.format,
              ...(options.maxMessages === undefined ? {} : { maxMessages: options.maxMessages }),
            }),
          true,
        ),
    );
  add(
    'peek',
    'print the newest n messages of a topic (default 10)',
    'peek orders',
    'peek registry 3',
    'peek orders 100 --from-beginning --format json > orders.jsonl',
  )
    .argument('<topic>')
    .argument('[n]', 'how many messages', positiveInteger('n'), 10)
    .option('--from-beginning', 'the oldest n instead')
    .addOption(formatOption('text: readable; json: one object per line, as consume --format json'))
    .action((topic: string, n: number, options: { fromBeginning?: boolean; format: MessageFormat }, c: Command) =>
      run(c, (ctx) => peek(ctx, topic, n, options)),
    );
  add(
    'produce',
    'publish each line of standard input as one message',
    'produce orders --key-field order-id < new-orders.jsonl',
    'produce orders-copy --format json < orders.jsonl',
    'echo \'{"hello":1}\' | kafka-monitor produce my-topic --key k1',
  )
    .argument('<topic>')
    .addOption(new Option('--key <key>', 'the same key for every message').conflicts('keyField'))
    .option('--key-field <field>', "each message's key from this field of its JSON")
    .addOption(formatOption('text: each line is a value; json: each line a message as consume --format json writes'))
    .action((topic: string, options: { key?: string; keyField?: string; format: MessageFormat }, c: Command) => {
      if (options.format === 'json' && (options.key !== undefined || options.keyField !== undefined)) {
        c.error('error: --format json takes each key from its line; --key and --key-field are for --format text', {
          code: 'kafka-monitor.produceKey',
          exitCode: EXIT.usage,
        });
      }
      return run(c, (ctx) => produce(ctx, topic, options), true);
    });
  addListing('count', 'number of messages in a topic', 'count orders', 'count registry --json')
    .argument('<topic>')
    .action((topic: string, options: JsonOption, c: Command) => run(c, (ctx) => countMessages(ctx, topic, options)));
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
  addListing(
    'verify',
    'recompute the views and the registry from the logs and compare them with the store; exit 1 on any drift',
    'verify',
    'verify --json',
  )
    .option(
      '--wait <seconds>',
      'wait this long for the processors to consume up to the cut',
      nonNegativeNumber('--wait'),
      30,
    )
    .action((options: JsonOption & { wait: number }, c: Command) => run(c, (ctx) => verify(ctx, options), true));
  addListing(
    'rebuild-views',
    'rebuild the views from the orders log into new tables while the old ones answer, then switch and drop the old',
    'rebuild-views --dry-run',
    'rebuild-views',
    'rebuild-views --json',
  )
    .option('--dry-run', 'print the plan (per partition: from and to offset, messages; time estimate) and stop')
    .action((options: RebuildOptions, c: Command) => run(c, (ctx) => rebuildViews(ctx, options), true));
  addListing(
    'trace',
    "one order end to end: each step's time, log position and time since the previous, and what it waits for",
    'trace --latest',
    'trace --latest --json',
  )
    .argument('[order-id]', 'the order to follow')
    .option('--latest', 'follow the order produced last')
    .addHelpText('after', TRACE_HELP)
    .action((orderId: string | undefined, options: TraceOptions, c: Command) => {
      if ((orderId === undefined) === (options.latest !== true)) {
        c.error('error: give either an order id or --latest', {
          code: 'kafka-monitor.traceTarget',
          exitCode: EXIT.usage,
        });
      }
      return run(c, (ctx) => trace(ctx, orderId, options));
    });
  addListing(
    'broker-health',
    'check that the bus answers and holds the pipeline topics',
    'broker-health',
    'check-health --json',
  )
    .alias('check-health')
    .action((options: JsonOption, c: Command) => run(c, (ctx) => brokerHealth(ctx, options)));
  addListing(
    'broker-config',
    "show the client's settings and the broker's configuration",
    'broker-config',
    'show-config --json',
  )
    .alias('show-config')
    .action((options: JsonOption, c: Command) => run(c, (ctx) => brokerConfig(ctx, options)));

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
