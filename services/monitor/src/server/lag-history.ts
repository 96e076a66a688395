import {
  LagRing,
  evaluateGroup,
  type GroupEvaluation,
  type LagSample,
  type PartitionLag,
  type RecordedOffsetReset,
} from '@kafka-monitor/domain';
import { partitionLagSeconds } from './partition-lag-seconds.js';

/** One reading of a group from the bus: its live members and its partitions' offsets. */
export interface GroupReading {
  readonly group: string;
  readonly members: number;
  readonly lag: readonly PartitionLag[];
  /** Resets to the log start the bus recorded for the group (the embedded log does; Kafka does not). */
  readonly offsetResets?: readonly RecordedOffsetReset[];
}

export interface LagHistoryOptions {
  /** One sample per partition is kept at most this often (ms). */
  readonly sampleEveryMs?: number;
  /** How far back the history reaches (ms); the rings are sized from it. */
  readonly keepMs?: number;
  /** Window of the status rules, rates and trends (ms). */
  readonly windowMs?: number;
}

/** A group's history summed over its partitions, in columns (what a chart draws). */
export interface GroupSeries {
  /** Epoch ms of each sample. */
  readonly times: number[];
  /** Messages not committed, summed; null where a partition's committed offset was not known. */
  readonly lag: (number | null)[];
  /** The largest lag in seconds of the partitions; null where unknown. */
  readonly lagSeconds: (number | null)[];
  /** End offsets summed: its slope is the produce rate. */
  readonly endOffset: number[];
}

export interface LagHistory {
  readonly sampleEveryMs: number;
  readonly windowMs: number;
  readonly keepMs: number;
  /** Bytes of samples each partition keeps, whatever the traffic. */
  readonly bytesPerPartition: number;
  /** Keeps a sample of each partition of the reading, unless the group's last one is too recent. */
  record(reading: GroupReading, at: number): void;
  /** Status, rates, trend and time to drain from the kept samples and the reading itself. */
  evaluate(reading: GroupReading, now: number): GroupEvaluation;
  /** Adds older samples of a partition (restored or seeded) under those already kept, in time order. */
  seed(group: string, topic: string, partition: number, samples: readonly LagSample[]): void;
  series(group: string, from: number): GroupSeries;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function sampleOf(p: PartitionLag, at: number): LagSample {
  return { at, committed: p.committedOffset, end: p.endOffset, lagSeconds: partitionLagSeconds(p, at) };
}

/**
 * The lag history the monitor keeps in memory: one ring per group and partition, holding `keepMs` of
 * samples taken every `sampleEveryMs` (at the defaults, 60 minutes of 5-second samples: 721 samples,
 * 23,072 bytes per partition).
 */
export function createLagHistory(options: LagHistoryOptions = {}): LagHistory {
  const sampleEveryMs = options.sampleEveryMs ?? 5_000;
  const keepMs = options.keepMs ?? 60 * 60_000;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const capacity = Math.ceil(keepMs / sampleEveryMs) + 1;
  type Partitions = Map<string, { topic: string; partition: number; ring: LagRing }>;
  const groups = new Map<string, Partitions>();
  const lastRecorded = new Map<string, number>();

  function ringOf(group: string, topic: string, partition: number): LagRing {
    let partitions = groups.get(group);
    if (partitions === undefined) {
      partitions = new Map() as Partitions;
      groups.set(group, partitions);
    }
    let entry = partitions.get(key(topic, partition));
    if (entry === undefined)
      partitions.set(key(topic, partition), (entry = { topic, partition, ring: new LagRing(capacity) }));
    return entry.ring;
  }

  return {
    sampleEveryMs,
    windowMs,
    keepMs,
    bytesPerPartition: new LagRing(capacity).bytes,
    record(reading, at) {
      const last = lastRecorded.get(reading.group);
      // A little early still counts, so a timer firing every sampleEveryMs never skips a beat.
      if (last !== undefined && at - last < sampleEveryMs * 0.9) return;
      lastRecorded.set(reading.group, at);
      for (const p of reading.lag) ringOf(reading.group, p.topic, p.partition).push(sampleOf(p, at));
    },
    evaluate(reading, now) {
      // The rules look back one window from the latest sample, plus the older sample that anchors it.
      const from = now - windowMs - 2 * sampleEveryMs;
      return evaluateGroup(
        reading.lag.map((p) => {
          const kept = groups.get(reading.group)?.get(key(p.topic, p.partition))?.ring.samples(from) ?? [];
          const current = sampleOf(p, now);
          const samples = (kept.at(-1)?.at ?? -Infinity) < now ? [...kept, current] : kept;
          return { topic: p.topic, partition: p.partition, samples };
        }),
        { now, windowMs, membersPresent: reading.members > 0 },
      );
    },
    seed(group, topic, partition, samples) {
      const ring = ringOf(group, topic, partition);
      const kept = ring.samples();
      const firstKept = kept[0]?.at ?? Infinity;
      const merged = [...samples.filter((s) => s.at < firstKept)].sort((a, b) => a.at - b.at);
      const fresh = new LagRing(capacity);
      for (const s of [...merged, ...kept]) fresh.push(s);
      groups.get(group)?.set(key(topic, partition), { topic, partition, ring: fresh });
      const newest = fresh.at(fresh.size - 1)?.at;
      if (newest !== undefined && newest > (lastRecorded.get(group) ?? -Infinity)) lastRecorded.set(group, newest);
    },
    series(group, from) {
      const rows = new Map<number, { lag: number | null; lagSeconds: number | null; end: number }>();
      for (const { ring } of groups.get(group)?.values() ?? []) {
        for (const s of ring.samples(from)) {
          const row = rows.get(s.at) ?? { lag: 0, lagSeconds: 0, end: 0 };
          const lag = s.committed === null ? null : Math.max(0, s.end - s.committed);
          rows.set(s.at, {
            lag: row.lag === null || lag === null ? null : row.lag + lag,
            lagSeconds:
              row.lagSeconds === null || s.lagSeconds === null ? null : Math.max(row.lagSeconds, s.lagSeconds),
            end: row.end + s.end,
          });
        }
      }
      const times = [...rows.keys()].sort((a, b) => a - b);
      const at = (t: number) => rows.get(t) ?? { lag: null, lagSeconds: null, end: 0 };
      return {
        times,
        lag: times.map((t) => at(t).lag),
        lagSeconds: times.map((t) => at(t).lagSeconds),
        endOffset: times.map((t) => at(t).end),
      };
    },
  };
}
