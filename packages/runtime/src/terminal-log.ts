import { prettyLogLine } from './log-format.js';

/** Where a terminal log writes: the process's stdout, or a test's buffer. */
export interface TextOutput {
  write(text: string): unknown;
}

/** A pino destination that writes readable lines and greets once the process is up. */
export interface TerminalLog {
  write(json: string): void;
  /** Prints the banner; start-up lines at info and below held until now are dropped (the banner says it). */
  greet(banner: readonly string[]): void;
}

export interface TerminalLogOptions {
  readonly colors: boolean;
  /**
   * Hold lines at info and below until `greet`: on a terminal, "consuming", "listening" and the like are
   * what the banner sums up. Off at LOG_LEVEL debug and trace, where every line is wanted.
   */
  readonly holdStartup: boolean;
}

/** Past this many held lines something is wrong with the start: they are shown and holding stops. */
const MAX_HELD = 50;
const ERROR_LEVEL = 50;
const WARN_LEVEL = 40;

/** pino's numeric level of a JSON line, without parsing the whole line twice. */
function levelOf(json: string): number {
  const match = /"level":(\d+)/.exec(json);
  return match === null ? ERROR_LEVEL : Number(match[1]);
}

export function terminalLog(out: TextOutput, options: TerminalLogOptions): TerminalLog {
  let held: string[] | undefined = options.holdStartup ? [] : undefined;
  const print = (line: string) => out.write(`${line}\n`);
  const release = () => {
    const lines = held ?? [];
    held = undefined;
    for (const line of lines) print(line);
  };
  return {
    write(json) {
      const line = prettyLogLine(json, { colors: options.colors });
      if (held === undefined) return void print(line);
      const level = levelOf(json);
      // A failing start needs what led up to it; a warning alone does not.
      if (level >= ERROR_LEVEL) release();
      if (level >= WARN_LEVEL || held === undefined) return void print(line);
      held.push(line);
      if (held.length > MAX_HELD) release();
    },
    greet(banner) {
      held = undefined;
      out.write(`${banner.join('\n')}\n`);
    },
  };
}
