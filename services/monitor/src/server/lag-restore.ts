import type { GroupReading, LagHistory } from './lag-history.js';
import type { EventBus } from '@kafka-monitor/domain';

/**
 * End offset of a partition at each of the given times (ascending), re-read from the append times of
 * its log: the end at `t` is the offset of the first message appended after `t`. Found by binary
 * search, each probe reading one message, so a time costs about log2(messages) reads. Null where the
 * log no longer holds the answer (retention removed the messages of that time).
 */
export async function endOffsetsAt(
  bus: Pick<EventBus, 'read'>,
  topic: string,
  partition: number,
  end: number,
  times: readonly number[],
): Promise<(number | null)[]> {
  if (end <= 0) return times.map(() => 0);
  const timestamps = new Map<number, number | null>();
  const timestampAt = async (offset: number): Promise<number | null> => {
    if (!timestamps.has(offset)) {
      const [message] = await bus.read(topic, partition, offset, 1);
      timestamps.set(offset, message?.offset === offset ? message.timestamp : null);
    }
    return timestamps.get(offset) ?? null;
  };
  const [first] = await bus.read(topic, partition, 0, 1);
  if (first === undefined) return times.map(() => null);
  const results: (number | null)[] = [];
  let low = first.offset;
  for (const time of times) {
    if (first.timestamp > time) {
      // Before the oldest message still kept: only an empty log is certain.
      results.push(first.offset === 0 ? 0 : null);
      continue;
    }
    // The first offset in [low, end) appended after `time`, or `end` when none was.
    let high = end;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const stamp = await timestampAt(middle);
      // A message that cannot be read (a compacted gap) counts as appended before: searching past it.
      if (stamp !== null && stamp > time) high = middle;
      else low = middle + 1;
    }
    results.push(low);
  }
  return results;
}

/** Spacing of the restored samples: the end offsets of the hour before a restart, one per minute. */
export const RESTORE_STEP_MS = 60_000;

/**
 * Refills the history after a restart with what the bus can still tell: for each partition of each
 * group, its end offset once a minute over the history's span, from the log's append times (so the
 * produce rate and the end-offset chart cover the hour before the restart). Past committed offsets
 * are not kept by the bus, so the lag, consume rate and statuses of that hour are not restored: those
 * samples have no committed offset, and the status rules wait for a whole window of new samples.
 * Returns how many samples were restored.
 */
export async function restoreLagHistory(
  bus: Pick<EventBus, 'read'>,
  history: Pick<LagHistory, 'seed' | 'keepMs'>,
  readings: readonly GroupReading[],
  now: number,
): Promise<number> {
  const times: number[] = [];
  for (let t = now - history.keepMs; t < now; t += RESTORE_STEP_MS) times.push(t);
  const ends = new Map<string, Promise<(number | null)[]>>();
  let restored = 0;
  for (const reading of readings) {
    for (const p of reading.lag) {
      // A topic read by several groups is re-read once.
      const id = `${p.topic}\u0000${p.partition}`;
      const pending = ends.get(id) ?? endOffsetsAt(bus, p.topic, p.partition, p.endOffset, times);
      ends.set(id, pending);
      const found = await pending;
      const samples = times.flatMap((at, i) => {
        const end = found[i];
        return end === null || end === undefined ? [] : [{ at, committed: null, end, lagSeconds: null }];
      });
      history.seed(reading.group, p.topic, p.partition, samples);
      restored += samples.length;
    }
  }
  return restored;
}
