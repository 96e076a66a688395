import { DependencyError } from '@kafka-monitor/domain';

/**
 * kafkajs marks each of its errors retriable or not. When its own retries ran out it wraps the last
 * failure in a non-retriable KafkaJSNumberOfRetriesExceeded, but for callers of the port a refused
 * connection is still worth retrying later, so the innermost cause decides. Anything that is not a
 * kafkajs error (a socket error) is worth a retry too.
 */
function isRetriable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8; depth++) {
    if (typeof current !== 'object' || current === null) return true;
    const cause: unknown = 'cause' in current ? current.cause : undefined;
    if (typeof cause === 'object' && cause !== null) {
      current = cause;
      continue;
    }
    return !('retriable' in current) || current.retriable !== false;
  }
  return true;
}

/** The kafkajs error type (e.g. UNKNOWN_TOPIC_OR_PARTITION) when there is one, so callers here can branch. */
export function kafkaErrorType(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'type' in error) {
    const type = error.type;
    return typeof type === 'string' ? type : undefined;
  }
  return undefined;
}

/**
 * Turns whatever kafkajs threw into the domain's DependencyError, so that no kafkajs type crosses the
 * package boundary; the original stays available as `cause` for logs.
 */
export function toBusError(operation: string, error: unknown): DependencyError {
  if (error instanceof DependencyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DependencyError('bus', `kafka ${operation} failed: ${message}`, {
    cause: error,
    retryable: isRetriable(error),
  });
}

export function unknownTopic(topic: string, cause?: unknown): DependencyError {
  return new DependencyError('bus', `kafka: topic '${topic}' does not exist`, { cause, retryable: false });
}

export function busClosed(): DependencyError {
  return new DependencyError('bus', 'kafka: the bus is closed', { retryable: false });
}

/** Runs one port operation and reports any failure as a DependencyError. */
export async function guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toBusError(operation, error);
  }
}
