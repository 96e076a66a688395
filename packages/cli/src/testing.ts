import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@kafka-monitor/runtime';
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
 * Runs the CLI in this process against a private data directory, capturing what it prints. The
 * same runCli the binary runs; only the streams, the environment and (when asked) the adapters differ.
 */
export function cliHarness(prefix = 'cli-') {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const config = (environment: Record<string, string> = {}): Config =>
    loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...environment });

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
    config,
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
