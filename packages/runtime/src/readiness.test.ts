import { describe, expect, it } from 'vitest';
import { createReadiness, reasonOf, sanitizeReason } from './readiness.js';

describe('readiness', () => {
  it('is not ready until ready, and stays down once down', () => {
    const readiness = createReadiness('starting');
    expect(readiness.current()).toEqual({ ready: false, reason: 'starting' });
    readiness.notReady('store unavailable: no host reachable');
    expect(readiness.current()).toEqual({ ready: false, reason: 'store unavailable: no host reachable' });
    readiness.ready();
    expect(readiness.current()).toEqual({ ready: true });
    readiness.down('stopping');
    readiness.notReady('again');
    readiness.ready();
    expect(readiness.current()).toEqual({ ready: false, reason: 'stopping' });
  });

  it('a hold keeps a ready process not ready while it gives a reason, and lets it go by itself', () => {
    const readiness = createReadiness('starting');
    let disk: string | undefined;
    readiness.holdWhile(() => disk);
    disk = 'disk full: the embedded log refuses writes';
    expect(readiness.current()).toEqual({ ready: false, reason: 'starting' });
    readiness.ready();
    expect(readiness.current()).toEqual({ ready: false, reason: 'disk full: the embedded log refuses writes' });
    disk = undefined;
    expect(readiness.current()).toEqual({ ready: true });
    disk = 'disk full again';
    readiness.down('stopping');
    expect(readiness.current()).toEqual({ ready: false, reason: 'stopping' });
  });

  it('gives reasons on one bounded line without credentials', () => {
    expect(sanitizeReason('failed\nat line 2\r\n\tmore')).toBe('failed at line 2 more');
    expect(sanitizeReason('cannot reach kafka://alice:s3cret@broker:9093')).toBe(
      'cannot reach kafka://***@broker:9093',
    );
    expect(sanitizeReason('auth failed password=s3cret user=bob')).toBe('auth failed password=*** user=bob');
    expect(sanitizeReason('x'.repeat(1_000))).toHaveLength(300);
    expect(sanitizeReason('  \n ')).toBe('unknown error');
    expect(reasonOf(new Error('bus unavailable: timeout'))).toBe('bus unavailable: timeout');
    expect(reasonOf('plain')).toBe('plain');
  });
});
