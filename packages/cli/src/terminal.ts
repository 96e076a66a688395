import { createInterface } from 'node:readline';

/**
 * Where a command's output goes and its input comes from. The process's own streams in production;
 * in-process tests pass buffers, so every command can be run and checked without spawning.
 */
export interface Terminal {
  /** Writes text to standard output as it is (commander's help goes here). */
  write(text: string): void;
  /** Writes text to standard error as it is. */
  writeError(text: string): void;
  /** Lines of standard input, without their line endings. */
  inputLines(): AsyncIterable<string>;
  readonly inputIsInteractive: boolean;
  /** Standard error when it is a terminal, for a progress bar; undefined when output is captured. */
  readonly progressStream: NodeJS.WritableStream | undefined;
  /** Aborted on Ctrl-C: a following command stops and reports what it did. */
  readonly interrupted: AbortSignal;
}

export function processTerminal(interrupted: AbortSignal): Terminal {
  return {
    write: (text) => void process.stdout.write(text),
    writeError: (text) => void process.stderr.write(text),
    inputLines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
    inputIsInteractive: process.stdin.isTTY === true,
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
    interrupted,
  };
}

/** Line-oriented helpers over a terminal, so commands never forget a newline. */
export interface Output {
  line(text?: string): void;
  lines(texts: readonly string[]): void;
  /** A line on standard error: progress notes and summaries that must not mix with data on stdout. */
  note(text: string): void;
}

export function outputOf(terminal: Terminal): Output {
  return {
    line: (text = '') => terminal.write(`${text}\n`),
    lines: (texts) => {
      if (texts.length > 0) terminal.write(`${texts.join('\n')}\n`);
    },
    note: (text) => terminal.writeError(`${text}\n`),
  };
}
