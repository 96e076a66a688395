import {
  TOPICS,
  encodeStatusChange,
  expiryDecision,
  expiryStatus,
  isOverdue,
  partitionForKey,
  type EventBus,
  type MessageTracing,
  type RegistryStore,
  type ReviewExpiryPolicy,
} from '@kafka-monitor/domain';
import { publishTraced } from '@kafka-monitor/pipeline';

export interface ReviewExpirySettings {
  readonly policy: ReviewExpiryPolicy;
  /** How long a pending order may wait before it is overdue (REVIEW_SLA_MINUTES). */
  readonly slaMs: number;
  /** How often overdue orders are looked for; 0 only when `expireOverdue` is called (tests). */
  readonly everyMs?: number;
  /** Pending orders read per pass, oldest first; the rest wait for the next pass. */
  readonly batchSize?: number;
}

export interface ReviewExpiryDeps {
  readonly bus: EventBus;
  readonly registry: RegistryStore;
  readonly tracing: MessageTracing;
  readonly now: () => number;
  readonly group: string;
  /** The member id of this instance's consumer, or undefined while it is not consuming. */
  readonly memberId: () => string | undefined;
}

const utf8 = new TextEncoder();

/** Often enough for an SLA counted in minutes, and one small read of the queue's head per pass. */
const PASS_EVERY_MS = 15_000;

/** The expiry settings from the process configuration (structurally, so this file needs no runtime import). */
export function reviewExpiryFrom(config: {
  readonly reviewExpiry: ReviewExpiryPolicy;
  readonly reviewSlaMinutes: number;
}): ReviewExpirySettings {
  return { policy: config.reviewExpiry, slaMs: config.reviewSlaMinutes * 60_000, everyMs: PASS_EVERY_MS };
}

/**
 * Publishes an expiry decision for each overdue pending order whose `registry` partition this instance
 * is assigned right now, so with several registry processors each order is expired by one of them.
 * During a rebalance two instances may both believe they own a partition for a moment; both then
 * publish the same request id (`expiryDecision`), and the registry applies a request id once and
 * only to a pending order, so the order is still decided once. Returns how many decisions it sent.
 */
export async function expireOverdue(deps: ReviewExpiryDeps, settings: ReviewExpirySettings): Promise<number> {
  const status = expiryStatus(settings.policy);
  const memberId = deps.memberId();
  if (status === undefined || memberId === undefined) return 0;
  const now = deps.now();
  const pending = await deps.registry.oldestPending(settings.batchSize ?? 500);
  // Oldest first: the overdue orders are the head of the list.
  const overdue = pending.filter((r) => isOverdue(r, now, settings.slaMs));
  if (overdue.length === 0) return 0;
  const owned = await ownedRegistryPartitions(deps.bus, deps.group, memberId);
  if (owned.size === 0) return 0;
  const partitions = (await deps.bus.listTopics()).find((t) => t.name === TOPICS.registry)?.partitions ?? 0;
  if (partitions === 0) return 0;
  const mine = overdue.filter((r) => owned.has(partitionForKey(utf8.encode(r.order.orderId), partitions)));
  if (mine.length === 0) return 0;
  await publishTraced(
    deps.bus,
    deps.tracing,
    TOPICS.registry,
    mine.map((r) => ({
      key: r.order.orderId,
      value: encodeStatusChange(expiryDecision(r.order.orderId, status, now)),
    })),
  );
  return mine.length;
}

async function ownedRegistryPartitions(bus: EventBus, group: string, memberId: string): Promise<Set<number>> {
  const described = await bus.describeGroup(group);
  const member = described.members.find((m) => m.memberId === memberId);
  return new Set((member?.assignments ?? []).filter((a) => a.topic === TOPICS.registry).map((a) => a.partition));
}
