import {
  TOPICS,
  decodeOrder,
  decodeRegistryMessage,
  ruleStatsFold,
  whatIfFold,
  type EventBus,
  type RuleLimits,
  type RuleStats,
  type StoredMessage,
  type WhatIfReport,
} from '@kafka-monitor/domain';

/** Messages read per request to the bus: only one page is held at a time. */
const PAGE = 2_000;
/** A read that returns nothing below an end offset read earlier is retried this often (Kafka may answer empty). */
const EMPTY_READS = 20;

export interface TailRange {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(message: StoredMessage): string | undefined {
  try {
    return utf8.decode(message.value);
  } catch {
    return undefined;
  }
}

/**
 * The offsets of a topic's newest `count` messages: each partition gives a share in proportion to
 * what it holds (keys spread evenly, so the newest messages of the log are spread the same way).
 * The log's start comes from a time lookup at 0, so a Kafka topic whose oldest messages were deleted
 * by retention is read from what it still has.
 */
export async function tailRanges(
  bus: EventBus,
  topic: string,
  count: number,
): Promise<{ readonly ranges: TailRange[]; readonly retained: number }> {
  const info = (await bus.listTopics()).find((t) => t.name === topic);
  if (info === undefined) return { ranges: [], retained: 0 };
  const starts = await bus.offsetsAtTime(topic, 0);
  const spans = info.endOffsets.map((to, partition) => {
    const from = Math.min(starts.find((s) => s.partition === partition)?.offset ?? 0, to);
    return { partition, from, to, length: to - from };
  });
  const total = spans.reduce((sum, s) => sum + s.length, 0);
  if (total <= count)
    return { ranges: spans.map(({ partition, from, to }) => ({ partition, from, to })), retained: total };
  const shares = spans.map((s) => Math.floor((count * s.length) / total));
  let left = count - shares.reduce((sum, n) => sum + n, 0);
  // The remainder goes one by one to the longest partitions, never past what a partition holds.
  const byLength = spans.map((_, i) => i).sort((a, b) => (spans[b]?.length ?? 0) - (spans[a]?.length ?? 0));
  for (const i of byLength) {
    if (left === 0) break;
    const share = shares[i] ?? 0;
    if (share < (spans[i]?.length ?? 0)) {
      shares[i] = share + 1;
      left--;
    }
  }
  return {
    ranges: spans.map(({ partition, to }, i) => ({ partition, from: to - (shares[i] ?? 0), to })),
    retained: total,
  };
}

/** Reads each range a page at a time, handing every message to `visit`; returns how many were read. */
async function scanRanges(
  bus: EventBus,
  topic: string,
  ranges: readonly TailRange[],
  visit: (message: StoredMessage) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<number> {
  let read = 0;
  for (const { partition, from, to } of ranges) {
    let offset = from;
    let emptyReads = 0;
    while (offset < to) {
      const page = await bus.read(topic, partition, offset, Math.min(PAGE, to - offset));
      const within = page.filter((m) => m.offset >= offset && m.offset < to);
      if (within.length === 0) {
        if (++emptyReads > EMPTY_READS) break;
        await sleep(50);
        continue;
      }
      emptyReads = 0;
      for (const message of within) visit(message);
      read += within.length;
      offset = (within.at(-1)?.offset ?? offset) + 1;
    }
  }
  return read;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RuleAnalyticsDeps {
  readonly bus: EventBus;
  readonly now: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RuleStatsReport extends RuleStats {
  readonly computedAt: number;
  /** Messages of `registry` read (validation results and decisions). */
  readonly scanned: number;
  /** The most that is read: the newest this many messages of `registry`. */
  readonly scanLimit: number;
  /** True when the whole retained log fitted in the scan, so "all" means every validation kept. */
  readonly complete: boolean;
}

/**
 * Per-rule analytics from the validation results on `registry`, the record of every rule verdict:
 * the newest `scanLimit` messages are read, so the cost is bounded whatever the log's length.
 */
export async function readRuleStats(deps: RuleAnalyticsDeps, scanLimit: number): Promise<RuleStatsReport> {
  const now = deps.now();
  const { ranges, retained } = await tailRanges(deps.bus, TOPICS.registry, scanLimit);
  const fold = ruleStatsFold(now);
  const scanned = await scanRanges(
    deps.bus,
    TOPICS.registry,
    ranges,
    (message) => {
      const body = text(message);
      const decoded = body === undefined ? undefined : decodeRegistryMessage(body);
      if (decoded?.ok === true && decoded.value.kind === 'validation')
        fold.add(decoded.value.order, decoded.value.result, decoded.value.timestamp);
    },
    deps.sleep ?? pause,
  );
  return { ...fold.finish(), computedAt: now, scanned, scanLimit, complete: retained <= scanLimit };
}

export interface SimulationReport extends WhatIfReport {
  readonly current: RuleLimits;
  readonly proposed: RuleLimits;
  /** Messages of `orders` read; those that are not orders (poison) are counted in `undecodable`. */
  readonly read: number;
  readonly undecodable: number;
}

/**
 * Replays the newest `count` messages of `orders` through the rules under the current and the
 * proposed limits. Nothing is produced or stored; only a page of messages and the counts are held.
 */
export async function simulateRules(
  deps: RuleAnalyticsDeps,
  current: RuleLimits,
  proposed: RuleLimits,
  count: number,
): Promise<SimulationReport> {
  const { ranges } = await tailRanges(deps.bus, TOPICS.orders, count);
  const fold = whatIfFold(current, proposed);
  let undecodable = 0;
  const read = await scanRanges(
    deps.bus,
    TOPICS.orders,
    ranges,
    (message) => {
      const body = text(message);
      const decoded = body === undefined ? undefined : decodeOrder(body);
      if (decoded?.ok === true) fold.add(decoded.value);
      else undecodable++;
    },
    deps.sleep ?? pause,
  );
  return { ...fold.finish(), current, proposed, read, undecodable };
}
