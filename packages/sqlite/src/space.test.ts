import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './open-sqlite.js';
import { createPageLimit, createSpaceTracker, isSqliteFull } from './space.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileDb() {
  const dir = mkdtempSync(join(tmpdir(), 'space-'));
  dirs.push(dir);
  return openSqlite(join(dir, 'db.sqlite'), ['CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL);']);
}

describe('space', () => {
  it('a page limit refuses growth with SQLITE_FULL, rolls the transaction back, and lifting it lets the same write through', () => {
    const db = fileDb();
    const limit = createPageLimit(8);
    limit.apply(db);
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    const writeBatch = db.transaction(() => {
      for (let i = 0; i < 20; i++) insert.run('x'.repeat(1_000));
    });
    let refusal: unknown;
    let batches = 0;
    try {
      for (; batches < 100; batches++) writeBatch();
    } catch (error) {
      refusal = error;
    }
    expect(isSqliteFull(refusal)).toBe(true);
    expect((refusal as Error).message).toMatch(/database or disk is full/);
    // Whole batches only: the refused one left nothing behind.
    expect(db.prepare('SELECT count(*) FROM rows').pluck().get()).toBe(batches * 20);
    limit.lift();
    writeBatch();
    expect(db.prepare('SELECT count(*) FROM rows').pluck().get()).toBe((batches + 1) * 20);
    db.close();
  });

  it('the tracker is out of space from the first refusal until the file grew, not at a read or an update in place', () => {
    const db = fileDb();
    db.prepare('INSERT INTO rows (body) VALUES (?)').run('x');
    const events: boolean[] = [];
    const tracker = createSpaceTracker(db, (outOfSpace) => events.push(outOfSpace));
    const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(tracker.failed(new Error('something else'))).toBe(false);
    expect(tracker.failed(full())).toBe(true);
    expect(tracker.failed(full())).toBe(true);
    expect(events).toEqual([true]);
    db.prepare('SELECT count(*) FROM rows').get();
    tracker.succeeded();
    db.prepare('UPDATE rows SET body = ?').run('y');
    tracker.succeeded();
    expect(events).toEqual([true]);
    db.prepare('INSERT INTO rows (body) VALUES (?)').run('z'.repeat(20_000));
    tracker.succeeded();
    expect(events).toEqual([true, false]);
    db.close();
  });
});
