import { DependencyError } from '@kafka-monitor/domain';
import type { Session } from './session.js';

export interface RequestGateOptions {
  /** Requests the session has with Cassandra at most; the rest wait their turn. */
  readonly maxInFlight: number;
  /** Requests waiting at most; one more is refused at once. */
  readonly maxWaiting: number;
  /** How long a request waits for its turn before it is refused. */
  readonly maxWaitMs: number;
}

/**
 * cassandra-driver keeps 2,048 requests per connection (one connection per node by default) and fails
 * any request beyond that at once, as "All connections … are busy": a burst of requests from several
 * operations, however bounded each is, could reach it. The session is the one place every request
 * goes through, so it is bounded here: beyond `maxInFlight` requests wait in order of arrival, and a
 * request that finds `maxWaiting` ahead of it, or waits longer than `maxWaitMs`, fails with a retryable
 * DependencyError (the API answers 503 with Retry-After, a processor retries its batch) instead of
 * queueing without end. `maxInFlight` stays well below what the driver's pool holds.
 */
export function gatedSession(session: Session, options: RequestGateOptions): Session {
  let inFlight = 0;
  const waiting: { resolve: () => void; timer: NodeJS.Timeout }[] = [];

  const overloaded = (why: string): DependencyError =>
    new DependencyError(
      'store',
      `Cassandra store: overloaded: ${why} (${options.maxInFlight} requests in flight at most); try again shortly`,
    );

  function release(): void {
    const next = waiting.shift();
    if (next === undefined) {
      inFlight--;
      return;
    }
    // The slot passes straight to the next request: inFlight stays as it is.
    clearTimeout(next.timer);
    next.resolve();
  }

  function acquire(): Promise<void> {
    if (inFlight < options.maxInFlight) {
      inFlight++;
      return Promise.resolve();
    }
    if (waiting.length >= options.maxWaiting) {
      return Promise.reject(overloaded(`${waiting.length} requests already waiting`));
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          const index = waiting.indexOf(entry);
          if (index >= 0) waiting.splice(index, 1);
          reject(overloaded(`no turn within ${options.maxWaitMs} ms`));
        }, options.maxWaitMs),
      };
      waiting.push(entry);
    });
  }

  async function gated<T>(request: () => Promise<T>): Promise<T> {
    await acquire();
    try {
      return await request();
    } finally {
      release();
    }
  }

  return {
    rows: (cql, params, opts) => gated(() => session.rows(cql, params, opts)),
    write: (cql, params) => gated(() => session.write(cql, params)),
    lwt: (cql, params) => gated(() => session.lwt(cql, params)),
    lwtBatch: (statements) => gated(() => session.lwtBatch(statements)),
    writeBatch: (statements) => gated(() => session.writeBatch(statements)),
    ddl: (cql) => gated(() => session.ddl(cql)),
    close: () => session.close(),
  };
}
