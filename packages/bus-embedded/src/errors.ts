import { BusAdminError, DependencyError } from '@kafka-monitor/domain';
import { createSettle, type Settle, type SpaceTracker } from '@kafka-monitor/sqlite';

export type { Settle } from '@kafka-monitor/sqlite';

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
 * Runs the log's synchronous SQLite work as a promise: driver failures are wrapped as the bus's
 * DependencyError (marked `outOfSpace` when the disk is full); the bus's own argument errors and admin
 * refusals pass as they are.
 */
export function createBusSettle(space: SpaceTracker | undefined): Settle {
  return createSettle(space, (error, outOfSpace) => {
    if (error instanceof BusAdminError) return error;
    if (error instanceof EmbeddedBusError && error.code !== 'BUS_CLOSED') return error;
    const message = (error as Error).message;
    return new DependencyError('bus', outOfSpace ? 'embedded log: disk full' : `embedded log: ${message}`, {
      cause: error,
      outOfSpace,
    });
  });
}

export const settle: Settle = createBusSettle(undefined);
