import { describe, expect, it } from 'vitest';
import {
  BusAdminError,
  DependencyError,
  groupNotEmpty,
  isBusAdminError,
  isDependencyError,
  retryDelayMs,
} from './errors.js';

describe('DependencyError', () => {
  it('Given a bus failure, then it carries code BUS_FAILED, the cause, and is retryable by default', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new DependencyError('bus', 'publish failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DependencyError');
    expect(error.message).toBe('publish failed');
    expect(error.dependency).toBe('bus');
    expect(error.code).toBe('BUS_FAILED');
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
  });

  it('Given a store failure marked not retryable, then code STORE_FAILED and retryable false', () => {
    const error = new DependencyError('store', 'schema is newer than this build', { retryable: false });
    expect(error.code).toBe('STORE_FAILED');
    expect(error.dependency).toBe('store');
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeUndefined();
  });
});

describe('isDependencyError', () => {
  it('recognises only DependencyError instances', () => {
    expect(isDependencyError(new DependencyError('store', 'down'))).toBe(true);
    expect(isDependencyError(new Error('down'))).toBe(false);
    expect(isDependencyError({ name: 'DependencyError', code: 'BUS_FAILED' })).toBe(false);
    expect(isDependencyError(undefined)).toBe(false);
  });
});

describe('BusAdminError', () => {
  it('carries its code and, for a busy group, how many members are live', () => {
    const error = new BusAdminError('GROUP_NOT_EMPTY', "group 'g' has 2 live members", { members: 2 });
    expect(error.name).toBe('BusAdminError');
    expect(error.members).toBe(2);
    expect(isBusAdminError(error)).toBe(true);
    expect(isBusAdminError(error, 'GROUP_NOT_EMPTY')).toBe(true);
    expect(isBusAdminError(error, 'UNKNOWN_GROUP')).toBe(false);
    expect(isBusAdminError(new Error('x'))).toBe(false);
    expect(new BusAdminError('UNKNOWN_TOPIC', 'no').members).toBeUndefined();
  });

  it('words a busy group the same for every adapter, singular and plural', () => {
    const one = groupNotEmpty('g', 'delete', 1);
    expect(one).toMatchObject({ code: 'GROUP_NOT_EMPTY', members: 1 });
    expect(one.message).toMatch(/^cannot delete group 'g': it has 1 live member; stop its consumers first/);
    expect(groupNotEmpty('g', 'reset the offsets of', 3).message).toMatch(/it has 3 live members;/);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the first delay per failure in a row and stops at the longest', () => {
    const delay = { firstMs: 100, maxMs: 5_000 };
    expect([0, 1, 2, 5, 6, 20].map((failures) => retryDelayMs(failures, delay))).toEqual([
      100, 200, 400, 3_200, 5_000, 5_000,
    ]);
  });
});
