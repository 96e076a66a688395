import type { EventBus } from '@kafka-monitor/domain';
import type { GroupReading, LagHistory } from './lag-history.js';

/** Spacing of the restored samples: the end offsets of the hour before a restart, one per minute. */
export const RESTORE_STEP_MS = 60_000;

/**
 * End offset of every partition of a topic at each of the given times: the end at `t` is the offset of
 * the first message appended after `t`, which the bus finds from its time index (Kafka's ListOffsets by
 * time), one request per time and no message read.
 */
export async function endOffsetsAt(
  bus: Pick<EventBus, 'offsetsAtTime'>,
  topic: string,
  times: readonly number[],
): Promise<Map<number, number[]>> {
  const ends = new Map<number, number[]>();
  for (const time of times) {
    // Timestamps are whole milliseconds: "after t" is "at or after t + 1".
    for (const { partition, offset } of await bus.offsetsAtTime(topic, time + 1)) {
      const column = ends.get(partition) ?? [];
      column.push(offset);
      ends.set(partition, column);
    }
  }
  return ends;
}

/**
 * Refills the history after a restart with what the bus can still tell: for each partition of each
 * group, its end offset once a minute over the history's span (so the produce rate and the end-offset
 * line cover the hour before the restart). Past committed offsets are not kept by the bus, so the lag,
 * consume rate and statuses of that hour are not restored: those samples have no committed offset, and
 * the status rules wait for a whole window of new samples. A time before the oldest message still kept
 * reads as the oldest kept offset (retention removed what came before). Returns the samples restored.
 */
export async function restoreLagHistory(
  bus: Pick<EventBus, 'offsetsAtTime'>,
  history: Pick<LagHistory, 'seed' | 'keepMs'>,
  readings: readonly GroupReading[],
  now: number,
): Promise<number> {
  const times: number[] = [];
  for (let t = now - history.keepMs; t < now; t += RESTORE_STEP_MS) times.push(t);
  // A topic read by several groups is asked once.
  const byTopic = new Map<string, Promise<Map<number, number[]>>>();
  let restored = 0;
  for (const reading of readings) {
    for (const p of reading.lag) {
      const pending = byTopic.get(p.topic) ?? endOffsetsAt(bus, p.topic, times);
      byTopic.set(p.topic, pending);
      const ends = (await pending).get(p.partition) ?? [];
      const samples = times.flatMap((at, i) => {
        const end = ends[i];
        return end === undefined ? [] : [{ at, committed: null, end, lagSeconds: null }];
      });
      history.seed(reading.group, p.topic, p.partition, samples);
      restored += samples.length;
    }
  }
  return restored;
}
