import { pino } from 'pino';
import type { Logger } from '@kafka-monitor/domain';
import type { LogFormat, LogLevel } from './config.js';
import { terminalLog, type TextOutput } from './terminal-log.js';

/** JSON lines on stdout (pino's own format). */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: bindings });
}

/** A process's logger, and its greeting once started (printed only in the readable format). */
export interface ProcessLog {
  readonly logger: Logger;
  readonly format: LogFormat;
  greet(banner: readonly string[]): void;
}

export interface ProcessLogOptions {
  readonly level: LogLevel;
  readonly bindings: Record<string, unknown>;
  /** LOG_FORMAT; when unset, readable on a terminal and JSON otherwise. */
  readonly format: LogFormat | undefined;
  readonly out: TextOutput & { readonly isTTY?: boolean; hasColors?(): boolean };
}

/**
 * Log collectors read JSON, people read lines: the format follows where stdout goes unless
 * LOG_FORMAT says. The readable lines are a few lines of formatting (log-format.ts): no dependency and no
 * transport thread, as pino-pretty would bring, and the same process writes them in order with the banner.
 */
export function openProcessLog(options: ProcessLogOptions): ProcessLog {
  const { level, bindings, out } = options;
  const format = options.format ?? (out.isTTY === true ? 'pretty' : 'json');
  if (format === 'json') return { logger: createLogger(level, bindings), format, greet: () => undefined };
  const terminal = terminalLog(out, {
    // hasColors honours NO_COLOR, FORCE_COLOR and TERM=dumb.
    colors: out.hasColors?.() ?? false,
    holdStartup: level !== 'debug' && level !== 'trace',
  });
  return { logger: pino({ level, base: bindings }, terminal), format, greet: (banner) => terminal.greet(banner) };
}
