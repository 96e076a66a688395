import { BusAdminError, DependencyError } from '@kafka-monitor/domain';

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

/**
 * Every kafkajs error type along the chain of causes: kafkajs wraps a final failure in
 * KafkaJSNonRetriableError / KafkaJSNumberOfRetriesExceeded, and DeleteGroups reports per group.
 */
export function kafkaErrorTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const type = kafkaErrorType(current);
    if (type !== undefined) types.push(type);
    const groups: unknown = 'groups' in current ? current.groups : undefined;
    if (Array.isArray(groups)) {
      for (const entry of groups as unknown[]) {
        const inner = typeof entry === 'object' && entry !== null && 'error' in entry ? entry.error : undefined;
        const innerType = kafkaErrorType(inner);
        if (innerType !== undefined) types.push(innerType);
      }
    }
    const next: unknown =
      ('originalError' in current ? current.originalError : undefined) ??
      ('cause' in current ? current.cause : undefined);
    if (next === current) break;
    current = next;
  }
  return types;
}

/** Broker answers meaning "the group has members, or is between generations": Kafka refuses the change. */
const BUSY_GROUP = ['NON_EMPTY_GROUP', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION'];
const INVALID = ['INVALID_TOPIC_EXCEPTION', 'INVALID_GROUP_ID', 'INVALID_REQUEST', 'INVALID_PARTITIONS'];

export function isBusyGroupError(error: unknown): boolean {
  return kafkaErrorTypes(error).some((type) => BUSY_GROUP.includes(type));
}

/** What an admin request was about, so a refusal can name it. */
export interface AdminSubject {
  readonly topic?: string;
  readonly group?: string;
  /** "delete", "reset the offsets of": how a refusal of a busy group reads. */
  readonly action?: string;
}

/**
 * Turns a kafkajs failure of an admin request into what the EventBusAdmin port promises: refusals the
 * operator can act on become BusAdminError (by the broker's error code), anything else (connection,
 * timeout, authorisation) stays a DependencyError('bus').
 */
export function toAdminError(
  operation: string,
  error: unknown,
  subject: AdminSubject = {},
): BusAdminError | DependencyError {
  if (error instanceof BusAdminError || error instanceof DependencyError) return error;
  const types = kafkaErrorTypes(error);
  const group = subject.group ?? '?';
  if (types.includes('UNKNOWN_TOPIC_OR_PARTITION') && subject.topic !== undefined) {
    return new BusAdminError('UNKNOWN_TOPIC', `topic '${subject.topic}' does not exist`);
  }
  if (types.includes('GROUP_ID_NOT_FOUND')) {
    return new BusAdminError('UNKNOWN_GROUP', `group '${group}' does not exist`);
  }
  if (types.some((type) => BUSY_GROUP.includes(type))) {
    // The broker does not say how many members: the caller counted them just before and found none,
    // so members are joining or a rebalance is still settling.
    return new BusAdminError(
      'GROUP_NOT_EMPTY',
      `cannot ${subject.action ?? 'change'} group '${group}': Kafka reports live members or a rebalance in ` +
        'progress; stop its consumers first (a consumer that crashed leaves the group after the session timeout)',
    );
  }
  const invalid = types.find((type) => INVALID.includes(type));
  if (invalid !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return new BusAdminError('INVALID_ARGUMENT', `kafka ${operation}: ${message} (${invalid})`);
  }
  return toBusError(operation, error);
}

/** Runs one admin operation: refusals as BusAdminError, bus failures as DependencyError. */
export async function guardAdmin<T>(operation: string, subject: AdminSubject, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAdminError(operation, error, subject);
  }
}
