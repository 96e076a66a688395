import { BusAdminError, DependencyError, isUntrustedCertificateCode } from '@kafka-monitor/domain';

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

export const CLOSED_BEFORE_ANSWER =
  'kafka: the broker closed the connection without answering (is the listener TLS? set KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL)';
const SASL_FAILED =
  'kafka: SASL authentication failed (wrong user name or password?): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM';
export const SASL_REQUIRED =
  'kafka: the broker closed the connection after its first answer (does the listener require SASL? set KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT or SASL_SSL and KAFKA_SASL_*)';
export const SASL_NOT_EXPECTED =
  'kafka: the broker does not expect SASL on this listener (ILLEGAL_SASL_STATE): set KAFKA_SECURITY_PROTOCOL=PLAINTEXT or SSL, or use its SASL listener';
export const TLS_AGAINST_PLAINTEXT =
  'kafka: the broker hung up during the TLS handshake (is the listener plaintext? set KAFKA_SECURITY_PROTOCOL=PLAINTEXT or SASL_PLAINTEXT)';

/**
 * The one-line cause of a failed TLS connection, when it is one that retrying cannot fix; undefined
 * for plain unreachability (refused, reset after the handshake, timed out), which retrying may fix.
 */
export function tlsFailure(
  error: { code?: string | undefined; message: string },
  secured: boolean,
): string | undefined {
  const code = error.code ?? '';
  if (isUntrustedCertificateCode(code)) {
    return `kafka: the broker's TLS certificate is not trusted (${code}): set KAFKA_SSL_CA_FILE to the CA that signed it`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return (
      `kafka: the broker's TLS certificate does not name the address it was reached at (${code}): ` +
      'use a broker address the certificate names, or set KAFKA_SSL_VERIFY_HOSTNAME=false'
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')
    return TLS_AGAINST_PLAINTEXT;
  if (/^ERR_SSL_.*ALERT/.test(code)) {
    return (
      `kafka: the broker refused the TLS handshake (${code}): does it require a client certificate ` +
      '(KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE) signed by a CA it trusts?'
    );
  }
  if (!secured && error.message.includes('before secure TLS connection was established')) return TLS_AGAINST_PLAINTEXT;
  return undefined;
}

/** The one-line cause of a connection failure that comes from the client's settings, if it is one. */
export function settingsFailure(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const record = current as { name?: unknown; message?: unknown; code?: unknown };
    const message = typeof record.message === 'string' ? record.message : '';
    if (record.name === 'KafkaJSSASLAuthenticationError') {
      const unsupported = /SASL (\S+) mechanism is not supported by the server/.exec(message);
      if (unsupported !== null) {
        return `kafka: the brokers do not offer SASL ${unsupported[1] ?? ''}: check KAFKA_SASL_MECHANISM and KAFKA_SECURITY_PROTOCOL`;
      }
      return SASL_FAILED;
    }
    const type = kafkaErrorType(current);
    if (type === 'ILLEGAL_SASL_STATE') return SASL_NOT_EXPECTED;
    if (type === 'UNSUPPORTED_SASL_MECHANISM') {
      return 'kafka: the brokers do not offer the SASL mechanism asked for (UNSUPPORTED_SASL_MECHANISM): check KAFKA_SASL_MECHANISM';
    }
    if (type === 'SASL_AUTHENTICATION_FAILED') return SASL_FAILED;
    const tls = tlsFailure({ code: typeof record.code === 'string' ? record.code : undefined, message }, false);
    if (tls !== undefined) return tls;
    const next: unknown = 'cause' in current ? current.cause : undefined;
    if (next === current) break;
    current = next;
  }
  return undefined;
}

/**
 * Turns whatever kafkajs threw into the domain's DependencyError, so that no kafkajs type crosses the
 * package boundary; the original stays available as `cause` for logs. A failure caused by the client's
 * own settings (credentials, certificates) gets one line naming the setting, and is marked so.
 */
export function toBusError(operation: string, error: unknown): DependencyError {
  if (error instanceof DependencyError) return error;
  const setting = settingsFailure(error);
  if (setting !== undefined) return new DependencyError('bus', setting, { cause: error, misconfigured: true });
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
const INVALID = [
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_GROUP_ID',
  'INVALID_REQUEST',
  'INVALID_PARTITIONS',
  'INVALID_CONFIG',
  'OFFSET_OUT_OF_RANGE',
];

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
