import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, encodeStatusChange } from '@kafka-monitor/domain';
import type { EventBus, MessageTracing, OrderStatus, StatusChange, Store } from '@kafka-monitor/domain';
import { publishTraced } from '@kafka-monitor/pipeline';
import {
  ReviewDecisionsAnswer,
  ReviewDecisionsBody,
  ReviewQueueBody,
  ReviewQueueQuery,
  type ReviewDecisionResultDto,
} from '../../contract-review.js';
import { errorResponses, type MonitorApp } from '../app-types.js';
import { normaliseOrderId, registeredDto } from '../dto.js';
import { readReviewQueue } from '../review-snapshot.js';
import { traceHeadersOf } from '../trace-headers.js';
import type { MutatingRoute } from './command-routes.js';

export interface ReviewRouteDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  readonly newId: () => string;
  readonly slaMinutes: number;
  readonly expiry: 'deny' | 'accept' | 'off';
  /** How long the decisions may take to be applied before the call answers them as pending. */
  readonly statusWaitMs: number;
  readonly mutating: MutatingRoute;
  readonly tracing: MessageTracing;
}

const POLL_MS = 20;

type Result = ReviewDecisionResultDto;

export function registerReviewRoutes(app: MonitorApp, deps: ReviewRouteDeps): void {
  const { store } = deps;
  const slaMs = deps.slaMinutes * 60_000;

  app.get(
    '/api/review',
    {
      schema: {
        operationId: 'getReviewQueue',
        tags: ['orders'],
        summary: 'Pending orders, oldest first, with their age, failed rules and overdue flag, and the counts',
        querystring: ReviewQueueQuery,
        response: { 200: ReviewQueueBody, ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const now = deps.now();
      const queue = await readReviewQueue(store, now, slaMs);
      return {
        success: true as const,
        data: {
          items: queue.items.slice(0, request.query.limit ?? 100).map((item) => ({
            ...registeredDto(item.registered),
            'age-seconds': item.ageMs / 1000,
            overdue: item.overdue,
          })),
          'pending-count': queue.pendingCount,
          'overdue-count': queue.overdueCount,
          'sla-minutes': deps.slaMinutes,
          expiry: deps.expiry,
          'as-of': now,
        },
      };
    },
  );

  /** What the single-order route would answer before sending anything: 404, 409, or a decision to send. */
  async function screen(orderId: string, change: Omit<StatusChange, 'orderId' | 'requestId'>) {
    const current = await store.registry.registered(orderId);
    if (current === undefined) {
      return (await store.produced.produced(orderId)) === undefined
        ? result(orderId, 'not-found', `order ${orderId} is not registered`, null, null)
        : result(orderId, 'conflict', `order ${orderId} is not registered yet; try again in a moment`, null, null);
    }
    if (current.status !== 'pending') {
      return result(orderId, 'conflict', `order is ${current.status}, not pending`, null, current.status);
    }
    return { ...change, orderId, requestId: deps.newId() };
  }

  app.post(
    '/api/review/decisions',
    {
      ...deps.mutating.guard,
      schema: {
        operationId: 'decideReviewOrders',
        tags: ['orders'],
        summary:
          'Approve or deny several pending orders; each is sent through the registry as a single decision and answered on its own (200 even when some are refused)',
        ...deps.mutating.schema,
        body: ReviewDecisionsBody,
        response: { 200: ReviewDecisionsAnswer, ...errorResponses(400, 413, 415, 503), ...deps.mutating.errors },
      },
    },
    async (request) => {
      const { status, reason } = request.body;
      // Ids differing only in the case of a UUID name one order: it is decided and answered once.
      const ids = [...new Set(request.body['order-ids'].map(normaliseOrderId))];
      const base = { newStatus: status, reason: reason ?? null, requestedAt: deps.now(), requestedBy: 'api' };
      const screened = await Promise.all(ids.map((id) => screen(id, base)));
      const changes = screened.filter((s): s is StatusChange => !('outcome' in s));
      // The registry processor stays the only writer: one status change per order, as the single route sends.
      if (changes.length > 0) {
        const parent = traceHeadersOf(request.headers);
        await publishTraced(
          deps.bus,
          deps.tracing,
          TOPICS.registry,
          changes.map((change) => ({ key: change.orderId, value: encodeStatusChange(change) })),
          changes.map(() => ({ parent })),
        );
      }
      const outcomes = await awaitDecisions(changes);
      const results = screened.map((s) => ('outcome' in s ? s : (outcomes.get(s.requestId) ?? pendingResult(s))));
      const count = (outcome: Result['outcome']) => results.filter((r) => r.outcome === outcome).length;
      return {
        success: true as const,
        data: {
          results,
          decided: count('decided'),
          pending: count('pending'),
          conflict: count('conflict'),
          'not-found': count('not-found'),
        },
      };
    },
  );

  /** Waits, up to the status wait, for the registry to decide each request; undecided ones are left out. */
  async function awaitDecisions(changes: readonly StatusChange[]): Promise<Map<string, Result>> {
    const done = new Map<string, Result>();
    const deadline = deps.now() + deps.statusWaitMs;
    for (;;) {
      for (const change of changes) {
        if (done.has(change.requestId)) continue;
        const decided = await store.registry.decision(change.requestId);
        if (decided === undefined) continue;
        const current = await store.registry.registered(change.orderId);
        const now = current === undefined ? null : registeredDto(current).status;
        done.set(
          change.requestId,
          decided.applied
            ? result(change.orderId, 'decided', null, change.requestId, now)
            : result(change.orderId, 'conflict', decided.reason ?? 'order is not pending', change.requestId, now),
        );
      }
      if (done.size === changes.length || deps.now() >= deadline) return done;
      await sleep(POLL_MS);
    }
  }
}

const CODES = { decided: 200, pending: 202, conflict: 409, 'not-found': 404 } as const;

function result(
  orderId: string,
  outcome: Result['outcome'],
  message: string | null,
  requestId: string | null,
  status: OrderStatus | null,
): Result {
  return { 'order-id': orderId, outcome, code: CODES[outcome], message, 'request-id': requestId, status };
}

function pendingResult(change: StatusChange): Result {
  return result(
    change.orderId,
    'pending',
    `not applied yet; see /api/status-requests/${change.requestId}`,
    change.requestId,
    'pending',
  );
}
