import { partitionForKey } from '@kafka-monitor/domain';
import type { EventBus, OutgoingMessage, StoredMessage } from '@kafka-monitor/domain';

const utf8 = new TextEncoder();

/**
 * A log in memory with just what a reader of the log uses (`listTopics`, `read`, `describeGroup`):
 * for tests of code that reads topics, without a bus. Every group is reported caught up. Messages are
 * placed by key as the buses place them.
 */
export function memoryLog(topics: Readonly<Record<string, number>>): EventBus & {
  append(topic: string, messages: readonly OutgoingMessage[]): StoredMessage[];
} {
  const partitions = new Map(
    Object.entries(topics).map(([name, count]) => [name, Array.from({ length: count }, (): StoredMessage[] => [])]),
  );
  const of = (topic: string): StoredMessage[][] => {
    const found = partitions.get(topic);
    if (found === undefined) throw new Error(`no topic ${topic}`);
    return found;
  };
  const unsupported = (): never => {
    throw new Error('not part of the memory log');
  };
  const append = (topic: string, messages: readonly OutgoingMessage[]): StoredMessage[] =>
    messages.map((m, i) => {
      const logs = of(topic);
      const partition = m.key === null ? i % logs.length : partitionForKey(utf8.encode(m.key), logs.length);
      const log = logs[partition] ?? [];
      const stored: StoredMessage = {
        topic,
        partition,
        offset: log.length,
        key: m.key,
        value: typeof m.value === 'string' ? utf8.encode(m.value) : m.value,
        headers: m.headers ?? {},
        timestamp: m.timestamp ?? 0,
      };
      log.push(stored);
      return stored;
    });
  return {
    append,
    ensureTopics: unsupported,
    publish: (topic, messages) => Promise.resolve(append(topic, messages)),
    consume: unsupported,
    describeGroup: (group, names) =>
      Promise.resolve({
        group,
        members: [],
        lag: (names ?? [...partitions.keys()]).flatMap((topic) =>
          of(topic).map((log, partition) => ({
            topic,
            partition,
            committedOffset: log.length,
            endOffset: log.length,
            lag: 0,
            oldestUnreadTimestamp: null,
          })),
        ),
      }),
    listTopics: () =>
      Promise.resolve(
        [...partitions].map(([name, logs]) => ({
          name,
          partitions: logs.length,
          endOffsets: logs.map((log) => log.length),
        })),
      ),
    offsetsAtTime: (topic, timestamp) =>
      Promise.resolve(
        of(topic).map((log, partition) => {
          const first = log.findIndex((m) => m.timestamp >= timestamp);
          return { partition, offset: first === -1 ? log.length : first };
        }),
      ),
    read: (topic, partition, fromOffset, limit) =>
      Promise.resolve((of(topic)[partition] ?? []).slice(fromOffset, fromOffset + limit)),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
