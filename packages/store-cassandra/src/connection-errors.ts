import { isUntrustedCertificateCode } from '@kafka-monitor/domain';

export const CASSANDRA_AUTHENTICATION_FAILED =
  'Cassandra refused the user name or password (authentication failed): check CASSANDRA_USERNAME and CASSANDRA_PASSWORD';
export const CASSANDRA_AUTHENTICATION_REQUIRED =
  'Cassandra requires authentication: set CASSANDRA_USERNAME and CASSANDRA_PASSWORD (or CASSANDRA_PASSWORD_FILE)';
export const CASSANDRA_CLOSED_BEFORE_ANSWER =
  'Cassandra closed the connection or never answered it (is its native port encrypted? set CASSANDRA_SSL=true)';
export const CASSANDRA_TLS_AGAINST_PLAINTEXT =
  'Cassandra did not answer the TLS handshake (is its native port plaintext? set CASSANDRA_SSL=false, or CASSANDRA_PORT to the encrypted port)';

interface Failure {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly innerErrors?: unknown;
}

function classifyOne(error: Failure, tls: boolean): string | undefined {
  const message = typeof error.message === 'string' ? error.message : '';
  const code = typeof error.code === 'string' ? error.code : '';
  if (error.name === 'AuthenticationError') {
    return message.includes('provider not set') ? CASSANDRA_AUTHENTICATION_REQUIRED : CASSANDRA_AUTHENTICATION_FAILED;
  }
  if (isUntrustedCertificateCode(code)) {
    return `Cassandra's TLS certificate is not trusted (${code}): set CASSANDRA_SSL_CA_FILE to the CA that signed it`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return (
      `Cassandra's TLS certificate does not name the address it was reached at (${code}): ` +
      'give it that address as a subject alternative name, or set CASSANDRA_SSL_VERIFY_HOSTNAME=false'
    );
  }
  if (/^ERR_SSL_.*ALERT/.test(code)) {
    return (
      `Cassandra refused the TLS handshake (${code}): does it require a client certificate ` +
      '(CASSANDRA_SSL_CERT_FILE, CASSANDRA_SSL_KEY_FILE) signed by a CA it trusts?'
    );
  }
  if (tls) {
    const handshake =
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
      code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
      message.includes('before secure TLS connection was established');
    return handshake ? CASSANDRA_TLS_AGAINST_PLAINTEXT : undefined;
  }
  // An encrypted native port drops a plaintext STARTUP without a word; the driver then tries older
  // protocol versions until its read timeout, so what it reports may be the close or the timeout.
  const silent =
    message.includes('Socket was closed') || code === 'ECONNRESET' || error.name === 'OperationTimedOutError';
  if (silent) return CASSANDRA_CLOSED_BEFORE_ANSWER;
  return undefined;
}

/**
 * The one-line cause of a failure to connect that comes from this client's settings (credentials,
 * certificates, TLS or not), if it is one. cassandra-driver reports a failed connection as
 * NoHostAvailableError with the error of each host tried in `innerErrors`; only those are looked at,
 * so a connection lost in the middle of work is never taken for a setting.
 */
export function connectionSettingsFailure(error: unknown, tls: boolean): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const failure = error as Failure;
  if (failure.name === 'AuthenticationError') return classifyOne(failure, tls);
  if (
    failure.name !== 'NoHostAvailableError' ||
    typeof failure.innerErrors !== 'object' ||
    failure.innerErrors === null
  ) {
    return undefined;
  }
  for (const inner of Object.values(failure.innerErrors as Record<string, unknown>)) {
    if (typeof inner !== 'object' || inner === null) continue;
    const cause = classifyOne(inner, tls);
    if (cause !== undefined) return cause;
  }
  return undefined;
}
