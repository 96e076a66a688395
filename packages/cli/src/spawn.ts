import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const binary = fileURLToPath(new URL('../bin/kafka-monitor.js', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly output: () => { stdout: string; stderr: string };
  readonly finished: Promise<Finished>;
}

/**
 * Starts a program with exactly the given environment (tests pass process.env plus their own
 * variables; only they may read it), collecting its output as it comes.
 */
export function start(
  command: string,
  args: readonly string[],
  environment: NodeJS.ProcessEnv,
  input?: string,
): Spawned {
  const startedAt = Date.now();
  const child = spawn(command, args, {
    cwd: repositoryRoot,
    env: environment,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin?.end(input ?? '');
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - startedAt }));
  });
  return { child, output: () => ({ stdout, stderr }), finished };
}

/** Runs the real kafka-monitor binary (the file npm links as `kafka-monitor`) to its end. */
export function kafkaMonitor(args: readonly string[], environment: NodeJS.ProcessEnv, input?: string) {
  return start(process.execPath, [binary, ...args], environment, input).finished;
}
