import {
  TOPICS,
  decodeOrder,
  decodeRegistryMessage,
  orderSnapshotRecord,
  registrySnapshotRecord,
} from '@kafka-monitor/domain';
import type { EventBus, SnapshotEntry, SnapshotFold, SnapshotPosition } from '@kafka-monitor/domain';
import { decodeMessage } from './decode-message.js';

/**
 * What the snapshots of `orders` and `registry` keep of a message before retention deletes it: the
 * domain's compact record of the order or registry message, keyed as the folds dedupe (a message the
 * processors dead-letter is kept as nothing, as it changes no view). `onBus` names the topics as the
 * log knows them.
 */
export function pipelineSnapshotFolds(onBus: (topic: string) => string = (t) => t): ReadonlyMap<string, SnapshotFold> {
  return new Map<string, SnapshotFold>([
    [
      onBus(TOPICS.orders),
      (message) => {
        const order = decodeMessage(decodeOrder, message);
        return order === undefined ? null : orderSnapshotRecord(order);
      },
    ],
    [
      onBus(TOPICS.registry),
      (message) => {
        const registryMessage = decodeMessage(decodeRegistryMessage, message);
        return registryMessage === undefined ? null : registrySnapshotRecord(registryMessage);
      },
    ],
  ]);
}

/**
 * The topic's snapshot horizon per partition: the log is to be read from there on. A bus without
 * snapshots (Kafka) has an empty one: [] (horizon 0 everywhere).
 */
export async function snapshotHorizons(bus: EventBus, topic: string): Promise<readonly number[]> {
  return (await bus.snapshotHorizons?.(topic)) ?? [];
}

/**
 * Reads the topic's snapshot at `horizons` (read earlier: entries are never changed, so the snapshot
 * at those horizons stays readable while retention advances it), a page at a time, handing each
 * entry to `visit` in (partition, offset) order; returns how many there were.
 */
export async function readSnapshot(
  bus: EventBus,
  topic: string,
  horizons: readonly number[],
  visit: (entry: SnapshotEntry) => Promise<void> | void,
  pageSize = 2_000,
): Promise<number> {
  if (bus.snapshotEntries === undefined || horizons.every((h) => h === 0)) return 0;
  let after: SnapshotEntry | null = null;
  let count = 0;
  for (;;) {
    const page: readonly SnapshotEntry[] = await bus.snapshotEntries(topic, horizons, after, pageSize);
    for (const entry of page) await visit(entry);
    count += page.length;
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return count;
    after = last;
  }
}

/**
 * For a reader of one partition at `from`: when the topic's snapshot now reaches past `from`
 * (retention folded and deleted that part since the reader read the horizons), hands the snapshot's
 * entries of [from, min(horizon, to)) to `visit` and returns where the log is to be read from next;
 * otherwise returns `from`. A bus without snapshots (Kafka) always returns `from`.
 */
export async function readFoldedSince(
  bus: EventBus,
  topic: string,
  partition: number,
  from: number,
  to: number,
  visit: (entry: SnapshotEntry) => Promise<void> | void,
  pageSize = 2_000,
): Promise<number> {
  if (bus.snapshotHorizons === undefined || bus.snapshotEntries === undefined) return from;
  const horizons = await bus.snapshotHorizons(topic);
  const until = Math.min(horizons[partition] ?? 0, to);
  if (until <= from) return from;
  let after: SnapshotPosition = { partition, offset: from - 1 };
  for (;;) {
    const page = await bus.snapshotEntries(topic, horizons, after, pageSize);
    const within = page.filter((e) => e.partition === partition && e.offset < until);
    for (const entry of within) await visit(entry);
    const last = page.at(-1);
    if (last === undefined || within.length < page.length || page.length < pageSize) return until;
    after = last;
  }
}
