import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@kafka-monitor/runtime';
import type { EventBus, EventBusAdmin } from '@kafka-monitor/domain';
import { adaptersFromConfig, type Adapters } from './adapters.js';
import { runCli } from './cli.js';
import type { Terminal } from './terminal.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Lines given on standard input. */
  readonly input?: readonly string[];
  /** Aborting it is Ctrl-C. */
  readonly interrupt?: AbortSignal;
  /** Sees standard output as it grows, for commands that follow a stream. */
  readonly onOutput?: (stdout: string) => void;
  readonly adapters?: (options: { pingTimeoutMs: number }) => Adapters;
  readonly environment?: Record<string, string>;
}

/**
 * Where the commands act: the embedded log in the harness's DATA_DIR, or a Kafka cluster shared with
 * other test files, where each harness gets its own BUS_PREFIX so its topics and groups start empty.
 */
export interface CliTarget {
  readonly name: string;
  /** The bus part of the environment of one harness. */
  environment(): Record<string, string>;
  /** How `broker-health` names this bus. */
  readonly busTarget: RegExp;
}

export const embeddedTarget: CliTarget = {
  name: 'the embedded log',
  environment: () => ({ BUS: 'embedded' }),
  busTarget: /embedded log at \S*log\.db/,
};

/**
 * A Kafka cluster; `security` holds the connection's other KAFKA_* variables (SASL, TLS) when the
 * listener is secured, and `kind` says so in the suite's name.
 */
export function kafkaTarget(brokers: string, security: Record<string, string> = {}, kind = 'Kafka'): CliTarget {
  return {
    name: `${kind} at ${brokers}`,
    environment: () => ({
      BUS: 'kafka',
      ...security,
      KAFKA_BROKERS: brokers,
      BUS_PREFIX: `cli-${randomUUID().slice(0, 8)}.`,
    }),
    busTarget: /Kafka at \S+.* \(names prefixed 'cli-[0-9a-f]{8}\.'\)/,
  };
}

/** Both ports on the harness's bus, opened the way the CLI opens them (same adapter, same prefix). */
export interface TestBus {
  readonly bus: EventBus;
  readonly admin: EventBusAdmin;
  close(): Promise<void>;
}

/**
 * Runs the CLI in this process against a private data directory, capturing what it prints. The
 * same runCli the binary runs; only the streams, the environment and (when asked) the adapters differ.
 */
export function cliHarness(prefix = 'cli-', target: CliTarget = embeddedTarget) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const targetEnvironment = target.environment();
  /** The variables a spawned binary or service needs to act on the same bus and store. */
  const environment: Record<string, string> = { DATA_DIR: dataDir, ...targetEnvironment };
  const config = (extra: Record<string, string> = {}): Config =>
    loadConfig({ LOG_LEVEL: 'silent', ...environment, ...extra });

  async function openBus(): Promise<TestBus> {
    const connection = await adaptersFromConfig({ pingTimeoutMs: 10_000 }).openBus(config());
    const admin = connection.admin;
    if (admin === undefined) throw new Error(`${connection.target} has no admin role`);
    return { bus: connection.bus, admin, close: () => connection.close() };
  }

  async function run(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const terminal: Terminal = {
      write: (text) => {
        stdout += text;
        options.onOutput?.(stdout);
      },
      writeError: (text) => {
        stderr += text;
      },
      async *inputLines() {
        await Promise.resolve();
        yield* options.input ?? [];
      },
      inputIsInteractive: false,
      progressStream: undefined,
      interrupted: options.interrupt ?? new AbortController().signal,
    };
    const code = await runCli(argv, {
      terminal,
      loadConfig: () => config(options.environment),
      adapters: options.adapters ?? adaptersFromConfig,
      now: Date.now,
      random: Math.random,
      newId: randomUUID,
    });
    return { code, stdout, stderr };
  }

  return {
    dataDir,
    environment,
    config,
    openBus,
    run,
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** The number in "orders: 10,000 messages in 3 partitions". */
export function countIn(output: string): number {
  const match = /: ([\d,]+) messages? in/.exec(output);
  if (match?.[1] === undefined) throw new Error(`no count in ${JSON.stringify(output)}`);
  return Number(match[1].replaceAll(',', ''));
}
