import { DependencyError } from '@kafka-monitor/domain';
import { describe, expect, it } from 'vitest';
import { busClosed, guard, kafkaErrorType, toBusError, unknownTopic } from './errors.js';

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
