import type {
  EventBus,
  EventBusAdmin,
  GroupDescription,
  MessageBatch,
  MessagePosition,
  OffsetReset,
  PartitionLag,
  StoredMessage,
} from '@kafka-monitor/domain';

/**
 * Names as a deployment with `BUS_PREFIX` sees them: every topic and consumer group it uses gets the
 * prefix on the bus, and everything the bus reports is shown without it. Names without the prefix
 * belong to other deployments and are not listed.
 */
export interface BusNames {
  readonly prefix: string;
  onBus(name: string): string;
  /** The deployment's name for a bus name, or undefined when it is someone else's. */
  local(name: string): string | undefined;
}

export function busNames(prefix: string): BusNames {
  return {
    prefix,
    onBus: (name) => `${prefix}${name}`,
    local: (name) => (name.startsWith(prefix) ? name.slice(prefix.length) : undefined),
  };
}

/**
 * Strips the prefix from quoted names in a failure's message ("topic 'run1.orders' …" reads "topic
 * 'orders' …"). The error keeps its class, code and cause; only the text the operator reads changes.
 */
function localError(names: BusNames, error: unknown): unknown {
  if (error instanceof Error) error.message = error.message.replaceAll(`'${names.prefix}`, "'");
  return error;
}

async function translated<T>(names: BusNames, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw localError(names, error);
  }
}

function localName(names: BusNames, name: string): string {
  return names.local(name) ?? name;
}

const localPosition = (names: BusNames, p: MessagePosition): MessagePosition => ({
  ...p,
  topic: localName(names, p.topic),
});
const localMessage = (names: BusNames, m: StoredMessage): StoredMessage => ({ ...m, topic: localName(names, m.topic) });
const localLag = (names: BusNames, p: PartitionLag): PartitionLag => ({ ...p, topic: localName(names, p.topic) });

/** A bus's snapshot reads under the deployment's names; none when the bus has no snapshots. */
function snapshotsOf(
  bus: EventBus,
  names: BusNames,
  run: <T>(work: () => Promise<T>) => Promise<T>,
): Pick<EventBus, 'snapshotHorizons' | 'snapshotEntries' | 'snapshotEntryCount'> {
  if (bus.snapshotHorizons === undefined || bus.snapshotEntries === undefined) return {};
  return {
    snapshotHorizons: (topic) => run(async () => (await bus.snapshotHorizons?.(names.onBus(topic))) ?? []),
    snapshotEntries: (topic, horizons, after, limit) =>
      run(async () => (await bus.snapshotEntries?.(names.onBus(topic), horizons, after, limit)) ?? []),
    snapshotEntryCount: (topic) => run(async () => (await bus.snapshotEntryCount?.(names.onBus(topic))) ?? 0),
  };
}

/** The EventBus port of one deployment's names on a shared bus; an empty prefix returns the bus itself. */
export function prefixEventBus(bus: EventBus, prefix: string): EventBus {
  if (prefix === '') return bus;
  const names = busNames(prefix);
  const run = <T>(work: () => Promise<T>): Promise<T> => translated(names, work);
  return {
    ensureTopics: (specs) => run(() => bus.ensureTopics(specs.map((s) => ({ ...s, name: names.onBus(s.name) })))),
    publish: (topic, messages) =>
      run(async () => (await bus.publish(names.onBus(topic), messages)).map((p) => localPosition(names, p))),
    consume: (options) =>
      run(() =>
        bus.consume({
          ...options,
          group: names.onBus(options.group),
          topics: options.topics.map((t) => names.onBus(t)),
          handleBatch: (batch: MessageBatch) =>
            options.handleBatch({
              topic: localName(names, batch.topic),
              partition: batch.partition,
              messages: batch.messages.map((m) => localMessage(names, m)),
            }),
          ...(options.onOffsetReset === undefined
            ? {}
            : {
                onOffsetReset: (reset: OffsetReset) =>
                  options.onOffsetReset?.({ ...reset, topic: localName(names, reset.topic) }),
              }),
        }),
      ),
    describeGroup: (group, topics) =>
      run(async (): Promise<GroupDescription> => {
        const described = await bus.describeGroup(
          names.onBus(group),
          topics?.map((t) => names.onBus(t)),
        );
        return {
          group,
          members: described.members.map((m) => ({
            memberId: m.memberId,
            assignments: m.assignments.map((a) => localPosition(names, a)),
          })),
          lag: described.lag.map((p) => localLag(names, p)),
          ...(described.offsetResets === undefined
            ? {}
            : { offsetResets: described.offsetResets.map((r) => ({ ...r, topic: localName(names, r.topic) })) }),
        };
      }),
    listTopics: () =>
      run(async () =>
        (await bus.listTopics()).flatMap((t) => {
          const name = names.local(t.name);
          return name === undefined ? [] : [{ ...t, name }];
        }),
      ),
    offsetsAtTime: (topic, timestamp) => run(() => bus.offsetsAtTime(names.onBus(topic), timestamp)),
    read: (topic, partition, fromOffset, limit) =>
      run(async () =>
        (await bus.read(names.onBus(topic), partition, fromOffset, limit)).map((m) => localMessage(names, m)),
      ),
    ...snapshotsOf(bus, names, run),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}

/** The EventBusAdmin port of one deployment's names, like `prefixEventBus`; an empty prefix returns `admin`. */
export function prefixEventBusAdmin(admin: EventBusAdmin, prefix: string): EventBusAdmin {
  if (prefix === '') return admin;
  const names = busNames(prefix);
  const run = <T>(work: () => Promise<T>): Promise<T> => translated(names, work);
  return {
    deleteTopic: (topic) => run(() => admin.deleteTopic(names.onBus(topic))),
    topicOffsets: (topic) => run(() => admin.topicOffsets(names.onBus(topic))),
    topicConfig: (topic) => run(() => admin.topicConfig(names.onBus(topic))),
    alterTopicConfig: (topic, changes) => run(() => admin.alterTopicConfig(names.onBus(topic), changes)),
    deleteRecords: (topic, before) => run(() => admin.deleteRecords(names.onBus(topic), before)),
    listGroups: () => run(async () => (await admin.listGroups()).flatMap((g) => names.local(g) ?? []).sort()),
    deleteGroup: (group) => run(() => admin.deleteGroup(names.onBus(group))),
    resetGroupOffsets: (group, target, topics, options) =>
      run(async () =>
        (
          await admin.resetGroupOffsets(
            names.onBus(group),
            target,
            topics?.map((t) => names.onBus(t)),
            options,
          )
        ).map((p) => localPosition(names, p)),
      ),
    describeCluster: () => run(() => admin.describeCluster()),
    brokerConfig: (nodeId) => run(() => admin.brokerConfig(nodeId)),
  };
}
