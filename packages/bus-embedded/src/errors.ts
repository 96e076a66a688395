import { BusAdminError, DependencyError } from '@kafka-monitor/domain';
import type { SpaceTracker } from '@kafka-monitor/sqlite';

export type EmbeddedBusErrorCode = 'UNKNOWN_TOPIC' | 'INVALID_ARGUMENT' | 'BUS_CLOSED';

export class EmbeddedBusError extends Error {
  readonly code: EmbeddedBusErrorCode;
  constructor(code: EmbeddedBusErrorCode, message: string) {
    super(message);
    this.name = 'EmbeddedBusError';
    this.code = code;
  }
}

/** Runs synchronous SQLite work as a promise (see `createSettle`). */
export type Settle = <T>(work: () => T) => Promise<T>;

/**
 * Runs synchronous SQLite work so that a thrown error becomes a rejected promise, as callers of a port
 * expect; driver failures are wrapped, the bus's own argument errors and admin refusals pass as they are.
 * A write refused for lack of space is marked `outOfSpace` and reported to `space`, as is the first
 * write that succeeds afterwards.
 */
export function createSettle(space: SpaceTracker | undefined): Settle {
  return <T>(work: () => T): Promise<T> => {
    try {
      const result = work();
      space?.succeeded();
      return Promise.resolve(result);
    } catch (error) {
      if (error instanceof BusAdminError) return Promise.reject(error);
      if (error instanceof EmbeddedBusError && error.code !== 'BUS_CLOSED') return Promise.reject(error);
      const outOfSpace = space?.failed(error) ?? false;
      const message = (error as Error).message;
      return Promise.reject(
        new DependencyError('bus', outOfSpace ? 'embedded log: disk full' : `embedded log: ${message}`, {
          cause: error,
          outOfSpace,
        }),
      );
    }
  };
}

export const settle: Settle = createSettle(undefined);
