import { statfs } from 'node:fs/promises';
import type { Logger } from '@kafka-monitor/domain';

/** What the embedded files' disk looks like: ok, low (below DISK_WARN_FREE_MB) or full (writes refused). */
export type DiskStatus = 'ok' | 'low' | 'full';

export interface DiskState {
  /** DATA_DIR, where the embedded log and store live. */
  readonly path: string;
  readonly status: DiskStatus;
  /** Why it is not ok, in words an operator acts on; undefined when ok. */
  readonly reason: string | undefined;
  /** Free space for this process (the file system's available blocks); undefined before the first reading. */
  readonly freeBytes: number | undefined;
  readonly sizeBytes: number | undefined;
  /** DISK_WARN_FREE_MB in bytes (0: never low). */
  readonly warnFreeBytes: number;
  /** Which embedded files refuse writes for lack of space right now. */
  readonly refusing: readonly string[];
}

/** The file system's figures of a path (Node's `statfs`, in blocks). */
export interface FileSystemSpace {
  readonly bavail: number;
  readonly blocks: number;
  readonly bsize: number;
}

export interface DiskWatchOptions {
  readonly path: string;
  readonly warnFreeBytes: number;
  /** How often free space is read (default 5 s). */
  readonly intervalMs?: number;
  readonly readSpace?: (path: string) => Promise<FileSystemSpace>;
  readonly logger?: Logger;
}

export interface DiskWatch {
  current(): DiskState;
  /**
   * The listener one embedded file's adapter reports to (its `onOutOfSpace`): true from its first write
   * refused for lack of space, false at its first successful write afterwards.
   */
  listenerFor(file: string): (outOfSpace: boolean) => void;
  /** Reads free space now (the timer does it every interval). */
  refresh(): Promise<DiskState>;
  /** The watch's series, in the Prometheus text format (added to the process's scrape). */
  exposition(): string;
  stop(): void;
}

const MIB = 1024 * 1024;
const mib = (bytes: number): string => `${Math.floor(bytes / MIB)} MiB`;

/**
 * Watches the disk of DATA_DIR for a process that writes the embedded log or store there. Two
 * sources: the file system's free space, read every few seconds (low below the warning threshold),
 * and the adapters' own reports of writes refused for lack of space (full, until a write succeeds
 * again). Full is what matters, whatever the free space says: SQLite may be refused while a few
 * blocks remain, or by a size limit of its file.
 */
export function createDiskWatch(options: DiskWatchOptions): DiskWatch {
  const readSpace = options.readSpace ?? ((path: string) => statfs(path));
  const refusing = new Set<string>();
  let freeBytes: number | undefined;
  let sizeBytes: number | undefined;
  let lastStatus: DiskStatus = 'ok';

  function current(): DiskState {
    const base = { path: options.path, freeBytes, sizeBytes, warnFreeBytes: options.warnFreeBytes };
    const refusingNow = [...refusing].sort();
    if (refusingNow.length > 0) {
      const free = freeBytes === undefined ? '' : `; ${mib(freeBytes)} free in ${options.path}`;
      return {
        ...base,
        status: 'full',
        reason: `disk full: ${refusingNow.join(' and ')} refuse${refusingNow.length === 1 ? 's' : ''} writes${free}`,
        refusing: refusingNow,
      };
    }
    if (freeBytes !== undefined && freeBytes < options.warnFreeBytes) {
      return {
        ...base,
        status: 'low',
        reason: `low disk space: ${mib(freeBytes)} free in ${options.path}, below DISK_WARN_FREE_MB (${mib(options.warnFreeBytes)})`,
        refusing: [],
      };
    }
    return { ...base, status: 'ok', reason: undefined, refusing: [] };
  }

  // Logged once per change, so a full disk is one warning and its recovery one line, not a flood.
  function noteChange(): void {
    const state = current();
    if (state.status === lastStatus) return;
    lastStatus = state.status;
    if (state.status === 'ok') options.logger?.info({ path: options.path, freeBytes }, 'disk space is back to normal');
    else options.logger?.warn({ path: options.path, freeBytes, reason: state.reason }, state.reason ?? 'disk');
  }

  async function refresh(): Promise<DiskState> {
    try {
      const space = await readSpace(options.path);
      freeBytes = space.bavail * space.bsize;
      sizeBytes = space.blocks * space.bsize;
    } catch (error) {
      options.logger?.debug({ err: error, path: options.path }, 'cannot read free disk space');
    }
    noteChange();
    return current();
  }

  const timer = setInterval(() => void refresh(), options.intervalMs ?? 5_000);
  timer.unref();
  void refresh();

  return {
    current,
    listenerFor: (file) => (outOfSpace) => {
      if (outOfSpace) {
        refusing.add(file);
        noteChange();
      } else {
        refusing.delete(file);
        // Space came back: read the new free space before saying how the disk is.
        void refresh();
      }
    },
    refresh,
    exposition() {
      const state = current();
      const label = `{path="${escapeLabel(options.path)}"}`;
      const lines = [
        '# HELP kafka_monitor_disk_free_bytes Free space of DATA_DIR for this process (this process only).',
        '# TYPE kafka_monitor_disk_free_bytes gauge',
        ...(state.freeBytes === undefined ? [] : [`kafka_monitor_disk_free_bytes${label} ${state.freeBytes}`]),
        '# HELP kafka_monitor_disk_size_bytes Size of the file system of DATA_DIR (this process only).',
        '# TYPE kafka_monitor_disk_size_bytes gauge',
        ...(state.sizeBytes === undefined ? [] : [`kafka_monitor_disk_size_bytes${label} ${state.sizeBytes}`]),
        '# HELP kafka_monitor_disk_warn_free_bytes DISK_WARN_FREE_MB in bytes: health is degraded below it.',
        '# TYPE kafka_monitor_disk_warn_free_bytes gauge',
        `kafka_monitor_disk_warn_free_bytes${label} ${state.warnFreeBytes}`,
        '# HELP kafka_monitor_disk_full 1 while the embedded log or store refuses writes for lack of space.',
        '# TYPE kafka_monitor_disk_full gauge',
        `kafka_monitor_disk_full${label} ${state.status === 'full' ? 1 : 0}`,
      ];
      return `${lines.join('\n')}\n`;
    },
    stop: () => clearInterval(timer),
  };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
