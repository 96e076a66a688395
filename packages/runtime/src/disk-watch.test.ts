import { describe, expect, it } from 'vitest';
import type { Logger } from '@kafka-monitor/domain';
import { createDiskWatch, type FileSystemSpace } from './disk-watch.js';

const MIB = 1024 * 1024;

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    child: () => logger,
    error: (_fields, message) => lines.push(`error ${message ?? ''}`),
    warn: (_fields, message) => lines.push(`warn ${message ?? ''}`),
    info: (_fields, message) => lines.push(`info ${message ?? ''}`),
    debug: () => undefined,
  };
  return logger;
}

function watch(free: { bytes: number }, lines: string[] = []) {
  const space = (): Promise<FileSystemSpace> =>
    Promise.resolve({ bavail: free.bytes / 4_096, blocks: (2_048 * MIB) / 4_096, bsize: 4_096 });
  return createDiskWatch({
    path: '/data',
    warnFreeBytes: 1_024 * MIB,
    intervalMs: 60_000,
    readSpace: space,
    logger: recordingLogger(lines),
  });
}

describe('disk watch', () => {
  it('is ok above the threshold, low below it, with the figures', async () => {
    const free = { bytes: 1_500 * MIB };
    const disk = watch(free);
    expect(await disk.refresh()).toMatchObject({
      status: 'ok',
      reason: undefined,
      freeBytes: 1_500 * MIB,
      sizeBytes: 2_048 * MIB,
    });
    free.bytes = 300 * MIB;
    expect(await disk.refresh()).toMatchObject({
      status: 'low',
      reason: 'low disk space: 300 MiB free in /data, below DISK_WARN_FREE_MB (1024 MiB)',
    });
    disk.stop();
  });

  it('is full while any embedded file refuses writes, whatever the free space, and says which', async () => {
    const lines: string[] = [];
    const disk = watch({ bytes: 1_500 * MIB }, lines);
    await disk.refresh();
    const log = disk.listenerFor('the embedded log');
    const store = disk.listenerFor('the SQLite store');
    log(true);
    store(true);
    expect(disk.current()).toMatchObject({
      status: 'full',
      reason: 'disk full: the SQLite store and the embedded log refuse writes; 1500 MiB free in /data',
      refusing: ['the SQLite store', 'the embedded log'],
    });
    log(false);
    expect(disk.current().reason).toBe('disk full: the SQLite store refuses writes; 1500 MiB free in /data');
    store(false);
    expect(disk.current().status).toBe('ok');
    await disk.refresh();
    // One line when it fills, one when it clears: not one per refused write.
    expect(lines).toEqual([
      'warn disk full: the embedded log refuses writes; 1500 MiB free in /data',
      'info disk space is back to normal',
    ]);
    disk.stop();
  });

  it('exports free space, size, the threshold and whether writes are refused', async () => {
    const disk = watch({ bytes: 300 * MIB });
    await disk.refresh();
    const text = disk.exposition();
    expect(text).toContain(`kafka_monitor_disk_free_bytes{path="/data"} ${300 * MIB}`);
    expect(text).toContain(`kafka_monitor_disk_size_bytes{path="/data"} ${2_048 * MIB}`);
    expect(text).toContain(`kafka_monitor_disk_warn_free_bytes{path="/data"} ${1_024 * MIB}`);
    expect(text).toContain('kafka_monitor_disk_full{path="/data"} 0');
    disk.listenerFor('the embedded log')(true);
    expect(disk.exposition()).toContain('kafka_monitor_disk_full{path="/data"} 1');
    disk.stop();
  });

  it('an unreadable path leaves the figures unknown rather than failing', async () => {
    const disk = createDiskWatch({
      path: '/nowhere',
      warnFreeBytes: MIB,
      readSpace: () => Promise.reject(new Error('ENOENT')),
    });
    expect(await disk.refresh()).toMatchObject({ status: 'ok', freeBytes: undefined });
    expect(disk.exposition()).not.toContain('kafka_monitor_disk_free_bytes{');
    disk.stop();
  });
});
