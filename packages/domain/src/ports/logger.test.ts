import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';

describe('silentLogger', () => {
  it('accepts every level without output or error, and its children are silent too', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      expect(silentLogger[level]({ orderId: 'x' }, 'message')).toBeUndefined();
      expect(silentLogger[level]({})).toBeUndefined();
    }
    expect(silentLogger.child({ service: 'test' })).toBe(silentLogger);
  });
});
