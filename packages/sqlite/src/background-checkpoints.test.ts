import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints } from './background-checkpoints.js';
import { openSqlite } from './open-sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileDb() {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const db = openSqlite(file, ['CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL);']);
  return { db, file };
}

function writeRows(db: ReturnType<typeof fileDb>['db'], count: number): void {
  const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run('x'.repeat(500));
  })();
}

describe('background checkpoints', () => {
  it('the committing connection checkpoints only past a higher threshold; a worker copies the WAL into the file', async () => {
    const { db, file } = fileDb();
    const background = startBackgroundCheckpoints(db, file, { intervalMs: 20 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    const before = statSync(file).size;
    // About 2.5 MB: far below the committer's 10,000 pages, so only the worker can have copied it.
    for (let i = 0; i < 10; i++) writeRows(db, 500);
    let grown = statSync(file).size;
    for (let i = 0; i < 200 && grown < before + 2_000_000; i++) {
      await sleep(20);
      grown = statSync(file).size;
    }
    expect(grown).toBeGreaterThan(before + 2_000_000);
    await background.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    expect(db.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 5_000 });
    db.close();
  });

  it('a checkpointer that dies hands checkpoints back to the committing connection', async () => {
    const { db } = fileDb();
    const errors: string[] = [];
    // A path the worker cannot open: its thread fails at once.
    const background = startBackgroundCheckpoints(db, join(tmpdir(), 'missing-dir-for-checkpoints', 'x.db'), {
      onError: (message) => errors.push(message),
    });
    for (let i = 0; i < 200 && db.pragma('wal_autocheckpoint', { simple: true }) !== 1_000; i++) await sleep(10);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    expect(errors.join('\n')).toMatch(/directory|unable to open|no such file/i);
    await background.stop();
    db.close();
  });

  it('stop() keeps a process with nothing else to do alive until the worker is gone', () => {
    const { db, file } = fileDb();
    db.close();
    const module = fileURLToPath(new URL('./index.ts', import.meta.url));
    // Top-level await in a process whose only handle is the worker: it must print both lines, exit 0.
    const script = [
      `import { openSqlite, startBackgroundCheckpoints } from ${JSON.stringify(module)};`,
      `const db = openSqlite(${JSON.stringify(file)}, []);`,
      `const background = startBackgroundCheckpoints(db, ${JSON.stringify(file)});`,
      `console.log('stopping');`,
      `await background.stop();`,
      `db.close();`,
      `console.log('stopped');`,
    ].join('\n');
    // A module file, not `-e`: evaluated code keeps the process alive by itself and hides the problem.
    const scriptFile = join(file, '..', 'stop.mts');
    writeFileSync(scriptFile, script);
    const child = spawnSync(process.execPath, ['--import', 'tsx', scriptFile], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stdout.trim().split('\n')).toEqual(['stopping', 'stopped']);
    expect(child.status).toBe(0);
  });

  it('without it the database file stays small until the commit-time threshold', () => {
    const { db, file } = fileDb();
    db.pragma('wal_autocheckpoint = 0');
    const before = statSync(file).size;
    for (let i = 0; i < 10; i++) writeRows(db, 500);
    // Everything is still in the WAL: this is what the worker's checkpoints move.
    expect(statSync(file).size).toBe(before);
    db.close();
  });
});
