import { BusAdminError, DependencyError } from '@kafka-monitor/domain';
import { describe, expect, it } from 'vitest';
import {
  busClosed,
  guard,
  guardAdmin,
  isBusyGroupError,
  kafkaErrorType,
  kafkaErrorTypes,
  toAdminError,
  toBusError,
  unknownTopic,
} from './errors.js';

describe('toBusError', () => {
  it('Given a kafkajs error marked not retriable, then the DependencyError is not retryable and keeps the cause', () => {
    const cause = Object.assign(new Error('Topic authorization failed'), {
      retriable: false,
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    const error = toBusError('publish', cause);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ dependency: 'bus', code: 'BUS_FAILED', retryable: false, cause });
    expect(error.message).toBe('kafka publish failed: Topic authorization failed');
  });

  it('Given a plain error or a non-error, then it is retryable', () => {
    expect(toBusError('ping', new Error('ECONNREFUSED')).retryable).toBe(true);
    expect(toBusError('ping', 'boom').message).toBe('kafka ping failed: boom');
  });

  it('Given a DependencyError, then it passes unchanged', () => {
    const original = unknownTopic('orders');
    expect(toBusError('publish', original)).toBe(original);
    expect(original.message).toMatch(/topic 'orders' does not exist/);
    expect(original.retryable).toBe(false);
    expect(busClosed().retryable).toBe(false);
  });
});

describe('kafkaErrorType', () => {
  it('Given errors with and without a string type, then only the string is returned', () => {
    expect(kafkaErrorType({ type: 'OFFSET_OUT_OF_RANGE' })).toBe('OFFSET_OUT_OF_RANGE');
    expect(kafkaErrorType({ type: 3 })).toBeUndefined();
    expect(kafkaErrorType(null)).toBeUndefined();
  });
});

describe('guard', () => {
  it('Given work that throws, then the caller gets a DependencyError; otherwise the result', async () => {
    await expect(guard('read', () => Promise.reject(new Error('socket hang up')))).rejects.toMatchObject({
      name: 'DependencyError',
      message: 'kafka read failed: socket hang up',
    });
    await expect(guard('read', () => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('retryable', () => {
  it('Given kafkajs gave up retrying a refused connection, then the innermost cause decides: retryable', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), { retriable: true });
    const exhausted = Object.assign(new Error(refused.message, { cause: refused }), { retriable: false });
    expect(toBusError('ping', exhausted).retryable).toBe(true);
  });

  it('Given kafkajs gave up on a protocol error that is final, then not retryable', () => {
    const denied = Object.assign(new Error('denied'), { retriable: false });
    const exhausted = Object.assign(new Error('denied', { cause: denied }), { retriable: false });
    expect(toBusError('publish', exhausted).retryable).toBe(false);
  });
});

/** A kafkajs protocol error as the broker's code turns into one, wrapped the way its retrier wraps it. */
function protocolError(type: string, wrapped = true): Error {
  const inner = Object.assign(new Error(`broker said ${type}`), { type, retriable: false });
  return wrapped ? Object.assign(new Error(inner.message, { cause: inner }), { retriable: false }) : inner;
}

describe('toAdminError', () => {
  it('Given UNKNOWN_TOPIC_OR_PARTITION about a topic, then UNKNOWN_TOPIC naming it', () => {
    const error = toAdminError('topicOffsets', protocolError('UNKNOWN_TOPIC_OR_PARTITION'), { topic: 'orders' });
    expect(error).toBeInstanceOf(BusAdminError);
    expect(error).toMatchObject({ code: 'UNKNOWN_TOPIC', message: "topic 'orders' does not exist" });
  });

  it('Given GROUP_ID_NOT_FOUND inside a DeleteGroups failure, then UNKNOWN_GROUP naming the group', () => {
    const deleteGroups = Object.assign(new Error('Error in DeleteGroups'), {
      name: 'KafkaJSDeleteGroupsError',
      groups: [{ groupId: 'g1', errorCode: 69, error: protocolError('GROUP_ID_NOT_FOUND', false) }],
    });
    const wrapped = Object.assign(new Error('Error in DeleteGroups', { cause: deleteGroups }), { retriable: false });
    expect(toAdminError('deleteGroup', wrapped, { group: 'g1' })).toMatchObject({
      code: 'UNKNOWN_GROUP',
      message: "group 'g1' does not exist",
    });
  });

  it.each(['NON_EMPTY_GROUP', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION'])(
    'Given %s, then GROUP_NOT_EMPTY with the action in the message',
    (type) => {
      const error = toAdminError('resetGroupOffsets', protocolError(type), {
        group: 'g',
        action: 'reset the offsets of',
      });
      expect(error).toMatchObject({ code: 'GROUP_NOT_EMPTY' });
      expect(error.message).toMatch(/^cannot reset the offsets of group 'g': Kafka reports live members/);
      expect(isBusyGroupError(protocolError(type))).toBe(true);
    },
  );

  it('Given an invalid name, then INVALID_ARGUMENT', () => {
    expect(toAdminError('deleteTopic', protocolError('INVALID_TOPIC_EXCEPTION'), { topic: 'a b' })).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('Given a connection failure or an unmapped broker error, then a DependencyError of the bus', () => {
    const refused = toAdminError('listGroups', Object.assign(new Error('ECONNREFUSED'), { retriable: true }));
    expect(refused).toBeInstanceOf(DependencyError);
    expect(refused).toMatchObject({
      dependency: 'bus',
      retryable: true,
      message: 'kafka listGroups failed: ECONNREFUSED',
    });
    const denied = toAdminError('deleteTopic', protocolError('TOPIC_AUTHORIZATION_FAILED'), { topic: 't' });
    expect(denied).toMatchObject({ name: 'DependencyError', retryable: false });
    expect(isBusyGroupError(protocolError('TOPIC_AUTHORIZATION_FAILED'))).toBe(false);
    // UNKNOWN_TOPIC_OR_PARTITION without a topic to name is not a refusal the caller asked about.
    expect(toAdminError('listGroups', protocolError('UNKNOWN_TOPIC_OR_PARTITION'))).toBeInstanceOf(DependencyError);
  });

  it('Given a refusal already made, then it passes unchanged', () => {
    const refusal = new BusAdminError('UNKNOWN_GROUP', 'no');
    expect(toAdminError('x', refusal)).toBe(refusal);
  });
});

describe('guardAdmin', () => {
  it('Given work that fails with a broker code, then the mapped refusal; otherwise the result', async () => {
    await expect(
      guardAdmin('topicConfig', { topic: 't' }, () => Promise.reject(protocolError('UNKNOWN_TOPIC_OR_PARTITION'))),
    ).rejects.toMatchObject({ name: 'BusAdminError', code: 'UNKNOWN_TOPIC' });
    await expect(guardAdmin('listGroups', {}, () => Promise.resolve(['g']))).resolves.toEqual(['g']);
  });
});

describe('kafkaErrorTypes', () => {
  it('Given nested causes and per-group errors, then every type in order; a cycle ends the walk', () => {
    const cyclic: { type: string; cause?: unknown } = { type: 'A' };
    cyclic.cause = cyclic;
    expect(kafkaErrorTypes(cyclic)).toEqual(['A']);
    expect(kafkaErrorTypes({ cause: { groups: [{ error: { type: 'B' } }], type: 'C' } })).toEqual(['C', 'B']);
    expect(kafkaErrorTypes(undefined)).toEqual([]);
  });
});

describe('failures caused by the client settings', () => {
  it('Given kafkajs gave up after a SASL authentication failure, then one line names the settings and marks it', () => {
    const sasl = Object.assign(
      new Error(
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ),
      { name: 'KafkaJSSASLAuthenticationError', retriable: false },
    );
    const error = toBusError('ping', Object.assign(new Error('retries exceeded'), { cause: sasl }));
    expect(error.message).toBe(
      'kafka: SASL authentication failed (wrong user name or password?): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM',
    );
    expect(error).toMatchObject({ misconfigured: true, retryable: false, cause: expect.anything() as unknown });
    const unsupported = Object.assign(new Error('SASL SCRAM-SHA-512 mechanism is not supported by the server'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const saslAtPlaintext = Object.assign(new Error('Request is not valid given the current SASL state'), {
      type: 'ILLEGAL_SASL_STATE',
      retriable: false,
    });
    expect(toBusError('ping', saslAtPlaintext).message).toBe(
      'kafka: the broker does not expect SASL on this listener (ILLEGAL_SASL_STATE): set KAFKA_SECURITY_PROTOCOL=PLAINTEXT or SSL, or use its SASL listener',
    );
    expect(toBusError('ping', unsupported).message).toBe(
      'kafka: the brokers do not offer SASL SCRAM-SHA-512: check KAFKA_SASL_MECHANISM and KAFKA_SECURITY_PROTOCOL',
    );
  });

  it('Given kafkajs connection errors carrying TLS codes, then each gets its line; plain unreachability does not', () => {
    const connection = (code: string, message = 'x') =>
      toBusError('ping', Object.assign(new Error(`Connection error: ${message}`), { code }));
    expect(connection('SELF_SIGNED_CERT_IN_CHAIN').message).toBe(
      "kafka: the broker's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN): set KAFKA_SSL_CA_FILE to the CA that signed it",
    );
    expect(connection('UNABLE_TO_VERIFY_LEAF_SIGNATURE').misconfigured).toBe(true);
    expect(connection('ERR_TLS_CERT_ALTNAME_INVALID').message).toMatch(/KAFKA_SSL_VERIFY_HOSTNAME=false$/);
    expect(
      connection('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established')
        .message,
    ).toMatch(/is the listener plaintext\? set KAFKA_SECURITY_PROTOCOL=PLAINTEXT or SASL_PLAINTEXT/);
    expect(connection('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED').message).toMatch(/refused the TLS handshake/);
    const refused = connection('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9092');
    expect(refused.misconfigured).toBe(false);
    expect(refused.retryable).toBe(true);
  });
});
