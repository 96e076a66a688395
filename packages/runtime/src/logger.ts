import { pino } from 'pino';
import type { Logger } from '@kafka-monitor/domain';
import type { LogLevel } from './config.js';

export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: bindings });
}
