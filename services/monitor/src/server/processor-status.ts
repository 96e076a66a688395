import { GROUPS, PROCESSORS, TOPICS } from '@kafka-monitor/domain';
import type { EventBus, InstanceReport, ProcessingStats, Store } from '@kafka-monitor/domain';
import type { ProcessorStatusDto, ProcessorsData } from '../contract.js';
import { createLagHistory, type GroupReading, type LagHistory } from './lag-history.js';
import { restoreLagHistory } from './lag-restore.js';

export interface ProcessorStatusOptions {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  /** An instance silent for longer is gone. */
  readonly instanceTimeoutMs?: number;
  /** A group whose lag does not shrink and whose commits do not move for this long is stalled. */
  readonly stallAfterMs?: number;
  /** Lag older than this makes a processor degraded. */
  readonly degradedLagSeconds?: number;
  /** Figures are reused for this long, so many clients cost one computation. */
  readonly cacheMs?: number;
  /** Where each reading of the groups' lag is kept and evaluated (a new one when absent). */
  readonly history?: LagHistory;
}

interface GroupSample {
  readonly at: number;
  readonly committed: number;
  readonly lag: number;
}

const noop = (): void => undefined;

/** Every status a processor can be in (the contract's), in the order of the metric's series. */
export const PROCESSOR_STATUSES = [
  'healthy',
  'degraded',
  'stalled',
  'down',
] as const satisfies readonly ProcessorStatusDto['status'][];

import { partitionLagSeconds } from './partition-lag-seconds.js';

export { partitionLagSeconds };

export interface ProcessorStatusReader {
  read(): Promise<ProcessorsData>;
  /** Reads the groups from the bus (at most once per cacheMs) and keeps a sample in the history. */
  lags(): Promise<readonly GroupReading[]>;
  readonly history: LagHistory;
  /** The figures with each group's kept lag history of the last hour. */
  readWithHistory(): Promise<ProcessorsData>;
  /** Refills the history from the log after a restart (see restoreLagHistory); the samples restored. */
  restore(): Promise<number>;
}

const CONSUMER_GROUPS: Readonly<Record<string, string>> = {
  'query-processor': GROUPS.queryProcessor,
  'registry-processor': GROUPS.registryProcessor,
};

/** What each group reads, so lag shows even before a group's first commit. */
const GROUP_TOPICS: Readonly<Record<string, readonly string[]>> = {
  [GROUPS.queryProcessor]: [TOPICS.orders],
  [GROUPS.registryProcessor]: [TOPICS.orders, TOPICS.registry],
};

/**
 * Real processor figures from shared sources only (instance heartbeats and counters in the store,
 * group lag from the bus), so it works whether the processors run in this process or elsewhere.
 */
export function createProcessorStatusReader(options: ProcessorStatusOptions): ProcessorStatusReader {
  const instanceTimeoutMs = options.instanceTimeoutMs ?? 10_000;
  const stallAfterMs = options.stallAfterMs ?? 15_000;
  const degradedLagSeconds = options.degradedLagSeconds ?? 30;
  const cacheMs = options.cacheMs ?? 1_000;
  const stallHistory = new Map<string, GroupSample[]>();
  const errorHistory = new Map<string, { at: number; errors: number }[]>();
  let cached: { at: number; value: Promise<ProcessorsData> } | undefined;
  const history = options.history ?? createLagHistory();
  let cachedLags: { at: number; value: Promise<GroupReading[]> } | undefined;

  function remember<T>(map: Map<string, T[]>, key: string, sample: T & { at: number }, now: number): T[] {
    const samples = (map.get(key) ?? []).filter((s) => (s as { at: number }).at >= now - 5 * 60_000);
    samples.push(sample);
    map.set(key, samples);
    return samples;
  }

  /** Stalled: lag waiting, not shrinking, and no commit for the whole stall window. */
  function isStalled(group: string, lag: number, committed: number, now: number): boolean {
    const samples = remember(stallHistory, group, { at: now, committed, lag }, now);
    if (lag === 0) return false;
    const windowStart = samples.find((s) => s.at <= now - stallAfterMs);
    if (windowStart === undefined) return false;
    const recent = samples.filter((s) => s.at >= windowStart.at);
    return recent.every((s) => s.committed === committed) && lag >= windowStart.lag;
  }

  function recentErrors(name: string, errors: number, now: number): number {
    const samples = remember(errorHistory, name, { at: now, errors }, now);
    const minuteAgo = samples.find((s) => s.at >= now - 60_000) ?? samples[0];
    return errors - (minuteAgo?.errors ?? errors);
  }

  function readGroups(): Promise<GroupReading[]> {
    return Promise.all(
      Object.values(CONSUMER_GROUPS).map(async (group): Promise<GroupReading> => {
        const described = await options.bus.describeGroup(group, GROUP_TOPICS[group]);
        return {
          group,
          members: described.members.length,
          lag: described.lag,
          ...(described.offsetResets === undefined ? {} : { offsetResets: described.offsetResets }),
        };
      }),
    );
  }

  async function lags() {
    const now = options.now();
    if (cachedLags === undefined || now - cachedLags.at >= cacheMs) {
      const value = readGroups();
      cachedLags = { at: now, value };
      void value.then((readings) => {
        for (const reading of readings) history.record(reading, now);
      }, noop);
      value.catch(() => (cachedLags = undefined));
    }
    return cachedLags.value;
  }

  async function compute(): Promise<ProcessorsData> {
    const now = options.now();
    const [instances, groupLags, queryStats, registryStats] = await Promise.all([
      options.store.control.liveInstances(now - instanceTimeoutMs),
      lags(),
      options.store.views.processingStats(GROUPS.queryProcessor),
      options.store.registry.processingStats(GROUPS.registryProcessor),
    ]);
    const durable: Record<string, ProcessingStats | undefined> = {
      'query-processor': queryStats,
      'registry-processor': registryStats,
    };
    const processors = PROCESSORS.map((name): ProcessorStatusDto => {
      const live = instances.filter((i: InstanceReport) => i.processor === name);
      const totals = durable[name];
      const processed = totals?.processedCount ?? live.reduce((sum, i) => sum + i.processed, 0);
      const errors = totals?.errorCount ?? live.reduce((sum, i) => sum + i.errors, 0);
      const lastSeen = live.map((i) => i.lastProcessedAt ?? 0).reduce((a, b) => Math.max(a, b), 0);
      const lastProcessed = totals?.lastProcessedTimestamp ?? (lastSeen > 0 ? lastSeen : null);
      const group = CONSUMER_GROUPS[name];
      const reading = groupLags.find((g) => g.group === group);
      const partitions = reading?.lag ?? [];
      const evaluation = reading === undefined ? undefined : history.evaluate(reading, now);
      const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
      const lagSeconds = partitions.reduce((max, p) => Math.max(max, partitionLagSeconds(p, now)), 0);
      const committed = partitions.reduce((sum, p) => sum + p.committedOffset, 0);
      const stalled = group !== undefined && isStalled(group, lag, committed, now);
      const erring = recentErrors(name, errors, now) > 0;
      const status =
        live.length === 0
          ? 'down'
          : stalled
            ? 'stalled'
            : erring || lagSeconds > degradedLagSeconds
              ? 'degraded'
              : 'healthy';
      const startedAt = live.map((i) => i.startedAt).reduce((a, b) => Math.min(a, b), now);
      const uptime = live.length === 0 ? 0 : (now - startedAt) / 1000;
      return {
        name,
        status,
        instances: live.length,
        uptime,
        'uptime-seconds': uptime,
        processed,
        errors,
        'throughput-per-second': live.reduce((sum, i) => sum + i.throughputPerSecond, 0),
        'last-processed': lastProcessed,
        'consumer-group':
          group === undefined
            ? null
            : {
                group,
                lag,
                'lag-seconds': lagSeconds,
                status: evaluation?.status ?? 'OK',
                members: reading?.members ?? 0,
                'window-seconds': history.windowMs / 1000,
                partitions: partitions.map((p, i) => {
                  const evaluated = evaluation?.partitions[i];
                  return {
                    topic: p.topic,
                    partition: p.partition,
                    'committed-offset': p.committedOffset,
                    'end-offset': p.endOffset,
                    lag: p.lag,
                    'lag-seconds': partitionLagSeconds(p, now),
                    status: evaluated?.status ?? 'OK',
                    'consume-rate': evaluated?.consumeRate ?? null,
                    'produce-rate': evaluated?.produceRate ?? null,
                    'lag-slope': evaluated?.lagSlope ?? null,
                    trend: evaluated?.trend ?? null,
                    'time-to-drain-seconds': evaluated?.timeToDrainSeconds ?? null,
                  };
                }),
                ...(reading?.offsetResets === undefined
                  ? {}
                  : {
                      'offset-resets': reading.offsetResets.map((r) => ({
                        topic: r.topic,
                        partition: r.partition,
                        'from-offset': r.fromOffset,
                        'to-offset': r.toOffset,
                        at: r.at,
                        count: r.count,
                      })),
                    }),
              },
      };
    });
    return { processors, timestamp: now };
  }

  function read(): Promise<ProcessorsData> {
    const now = options.now();
    if (cached === undefined || now - cached.at >= cacheMs) {
      const value = compute();
      cached = { at: now, value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  }

  return {
    read,
    lags,
    history,
    async readWithHistory() {
      const data = await read();
      const from = options.now() - history.keepMs;
      return {
        ...data,
        processors: data.processors.map((p) => {
          const group = p['consumer-group'];
          if (group === null) return p;
          const series = history.series(group.group, from);
          return {
            ...p,
            'consumer-group': {
              ...group,
              history: {
                'sample-every-seconds': history.sampleEveryMs / 1000,
                times: series.times,
                lag: series.lag,
                'lag-seconds': series.lagSeconds,
                'end-offset': series.endOffset,
              },
            },
          };
        }),
      };
    },
    async restore() {
      // Its own reading: the shared one would serve a start-up picture to the first requests.
      return restoreLagHistory(options.bus, history, await readGroups(), options.now());
    },
  };
}
