import { describe, expect, it } from 'vitest';
import { bucketMarks } from './buckets.js';
import type { Session } from './session.js';

/** A session that records writes and answers each with the next outcome (default: success). */
function recordingSession(outcomes: ('ok' | 'fail')[] = []) {
  const writes: unknown[][] = [];
  const session: Session = {
    rows: () => Promise.resolve([]),
    write: (_cql, params) => {
      writes.push([...params]);
      return outcomes.shift() === 'fail' ? Promise.reject(new Error('timeout')) : Promise.resolve();
    },
    lwt: () => Promise.resolve({ applied: true, current: undefined }),
    lwtBatch: () => Promise.resolve(true),
    writeBatch: () => Promise.reject(new Error('not expected here')),
    ddl: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { session, writes };
}

describe('bucketMarks', () => {
  it('writes each bucket of a series once, however many callers ask at once or later', async () => {
    const { session, writes } = recordingSession();
    const marks = bucketMarks(session, 'ks');
    await Promise.all([marks.touch('timeline', 7), marks.touch('timeline', 7), marks.touch('status:pending', 7)]);
    await marks.touch('timeline', 7);
    await marks.touch('timeline', 8);
    expect(writes).toEqual([
      ['timeline', 7],
      ['status:pending', 7],
      ['timeline', 8],
    ]);
  });

  it('writes a bucket again after its write failed', async () => {
    const { session, writes } = recordingSession(['fail']);
    const marks = bucketMarks(session, 'ks');
    await expect(marks.touch('timeline', 1)).rejects.toThrow('timeout');
    await marks.touch('timeline', 1);
    await marks.touch('timeline', 1);
    expect(writes).toEqual([
      ['timeline', 1],
      ['timeline', 1],
    ]);
  });
});
