import { BusAdminError, DependencyError } from '@kafka-monitor/domain';

export type EmbeddedBusErrorCode = 'UNKNOWN_TOPIC' | 'INVALID_ARGUMENT' | 'BUS_CLOSED';

export class EmbeddedBusError extends Error {
  readonly code: EmbeddedBusErrorCode;
  constructor(code: EmbeddedBusErrorCode, message: string) {
    super(message);
    this.name = 'EmbeddedBusError';
    this.code = code;
  }
}

/**
 * Runs synchronous SQLite work so that a thrown error becomes a rejected promise, as callers of a port
 * expect; driver failures are wrapped, the bus's own argument errors and admin refusals pass as they are.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    if (error instanceof BusAdminError) return Promise.reject(error);
    if (error instanceof EmbeddedBusError && error.code !== 'BUS_CLOSED') return Promise.reject(error);
    return Promise.reject(new DependencyError('bus', `embedded log: ${(error as Error).message}`, { cause: error }));
  }
}
