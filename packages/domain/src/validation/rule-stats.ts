import type { Order } from '../orders/order.js';
import { BUSINESS_RULES, type RuleOutcome } from './rules.js';
import { registryStatusOf, type ValidationResult } from './validate-order.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Orders a rule failed that ended denied, and that went to the review queue (pending). */
export interface RuleHits {
  readonly denied: number;
  readonly review: number;
}

export interface TopEntry<K> {
  readonly key: K;
  readonly count: number;
}

export interface RuleStatsEntry {
  readonly ruleName: string;
  readonly outcome: RuleOutcome;
  readonly lastHour: RuleHits;
  readonly lastDay: RuleHits;
  /** Over every validation result read; `withAllTimeHits` puts the registry's exact counts here. */
  readonly all: RuleHits;
  /**
   * Customers and products of the orders it failed among those read, most hit first (ties: smaller
   * key first).
   */
  readonly topCustomers: readonly TopEntry<number>[];
  readonly topProducts: readonly TopEntry<string>[];
}

export interface RuleStats {
  /** Distinct orders counted (a validation result republished for the same order counts once). */
  readonly orders: number;
  /** Validation time of the oldest order counted; null when none. */
  readonly oldestValidatedAt: number | null;
  readonly rules: readonly RuleStatsEntry[];
}

interface MutableHits {
  denied: number;
  review: number;
}

interface RuleTally {
  readonly lastHour: MutableHits;
  readonly lastDay: MutableHits;
  readonly all: MutableHits;
  readonly customers: Map<number, number>;
  readonly products: Map<string, number>;
}

export interface RuleStatsFold {
  /** Counts one validation result; only the first result of an order id counts, as registration does. */
  add(order: Order, result: ValidationResult, validatedAt: number): void;
  finish(): RuleStats;
}

function top<K extends number | string>(counts: ReadonlyMap<K, number>, n: number): TopEntry<K>[] {
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, n);
}

/**
 * Per rule, how many orders it denied or sent to review in the hour and the day before `now` and in
 * everything read, with the customers and products it hit most. A failed rule is counted under the
 * status its order entered with, so a review rule failed by an order that a deny rule also failed
 * counts as denied: that order never reached the review queue.
 */
export function ruleStatsFold(now: number, topN = 5): RuleStatsFold {
  const tallies = new Map<string, RuleTally>();
  const seen = new Set<string>();
  let oldest: number | null = null;
  const tallyOf = (ruleName: string): RuleTally => {
    let tally = tallies.get(ruleName);
    if (tally === undefined) {
      tally = {
        lastHour: { denied: 0, review: 0 },
        lastDay: { denied: 0, review: 0 },
        all: { denied: 0, review: 0 },
        customers: new Map(),
        products: new Map(),
      };
      tallies.set(ruleName, tally);
    }
    return tally;
  };
  return {
    add(order, result, validatedAt) {
      if (seen.has(order.orderId)) return;
      seen.add(order.orderId);
      oldest = oldest === null ? validatedAt : Math.min(oldest, validatedAt);
      const status = registryStatusOf(result);
      if (status === 'accepted') return;
      const field = status === 'denied' ? 'denied' : 'review';
      const age = now - validatedAt;
      for (const rule of result.rules) {
        if (rule.passed) continue;
        const tally = tallyOf(rule.ruleName);
        tally.all[field]++;
        if (age < DAY_MS) tally.lastDay[field]++;
        if (age < HOUR_MS) tally.lastHour[field]++;
        tally.customers.set(order.customerId, (tally.customers.get(order.customerId) ?? 0) + 1);
        tally.products.set(order.productId, (tally.products.get(order.productId) ?? 0) + 1);
      }
    },
    finish() {
      const empty = (): RuleTally => ({
        lastHour: { denied: 0, review: 0 },
        lastDay: { denied: 0, review: 0 },
        all: { denied: 0, review: 0 },
        customers: new Map(),
        products: new Map(),
      });
      const known = BUSINESS_RULES.map((rule) => rule.name);
      const unknown = [...tallies.keys()].filter((name) => !known.includes(name)).sort();
      return {
        orders: seen.size,
        oldestValidatedAt: oldest,
        rules: [...known, ...unknown].map((ruleName): RuleStatsEntry => {
          const tally = tallies.get(ruleName) ?? empty();
          return {
            ruleName,
            outcome: BUSINESS_RULES.find((rule) => rule.name === ruleName)?.outcome ?? 'review',
            lastHour: { ...tally.lastHour },
            lastDay: { ...tally.lastDay },
            all: { ...tally.all },
            topCustomers: top(tally.customers, topN),
            topProducts: top(tally.products, topN),
          };
        }),
      };
    },
  };
}

/**
 * The stats with `all` taken from the registry's counters (`RegistryStore.ruleHits`: every
 * registration, not only those read); the windows and the top lists stay those of what was read. A
 * rule only the counters know (a rule since renamed) is listed after the others, with empty windows.
 */
export function withAllTimeHits(stats: RuleStats, counts: Readonly<Record<string, RuleHits>>): RuleStats {
  const none = { denied: 0, review: 0 };
  const listed = new Set(stats.rules.map((r) => r.ruleName));
  const onlyCounted = Object.keys(counts)
    .filter((name) => !listed.has(name))
    .sort()
    .map((ruleName): RuleStatsEntry => ({
      ruleName,
      outcome: 'review',
      lastHour: none,
      lastDay: none,
      all: none,
      topCustomers: [],
      topProducts: [],
    }));
  return {
    ...stats,
    rules: [...stats.rules, ...onlyCounted].map((r) => ({ ...r, all: { ...(counts[r.ruleName] ?? none) } })),
  };
}
