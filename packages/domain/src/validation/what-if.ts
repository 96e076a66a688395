import type { Order, OrderStatus } from '../orders/order.js';
import type { RuleLimits } from './rule-limits.js';
import { businessRules, type RuleOutcome } from './rules.js';
import { registryStatusOf, validateOrder } from './validate-order.js';

/** How one rule's verdicts move when the limits change. */
export interface RuleShift {
  readonly ruleName: string;
  readonly outcome: RuleOutcome;
  readonly failingNow: number;
  readonly failingProposed: number;
  /** Orders that pass it now and would fail it. */
  readonly newlyFailing: number;
  /** Orders that fail it now and would pass it. */
  readonly noLongerFailing: number;
}

export interface OutcomeTransition {
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly count: number;
}

export interface ChangedOrder {
  readonly order: Order;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  /** The rules whose verdict changes, with the failure message under the limits that fail it. */
  readonly rules: readonly {
    readonly ruleName: string;
    readonly passedNow: boolean;
    readonly message: string | null;
  }[];
}

export interface WhatIfReport {
  readonly compared: number;
  /** Orders whose registry status (accepted, pending, denied) would differ. */
  readonly changed: number;
  /** Every (from, to) pair that occurs, most frequent first. */
  readonly transitions: readonly OutcomeTransition[];
  readonly rules: readonly RuleShift[];
  /** The first changed orders met, at most `maxExamples`. */
  readonly examples: readonly ChangedOrder[];
}

export interface WhatIfFold {
  add(order: Order): void;
  finish(): WhatIfReport;
}

/**
 * Validates each order under the current and the proposed limits and keeps only counts and a few
 * examples, so its memory does not grow with the orders compared.
 */
export function whatIfFold(current: RuleLimits, proposed: RuleLimits, maxExamples = 20): WhatIfFold {
  const now = businessRules(current);
  const next = businessRules(proposed);
  const shifts = now.map((rule) => ({
    ruleName: rule.name,
    outcome: rule.outcome,
    failingNow: 0,
    failingProposed: 0,
    newlyFailing: 0,
    noLongerFailing: 0,
  }));
  const transitions = new Map<string, OutcomeTransition & { count: number }>();
  const examples: ChangedOrder[] = [];
  let compared = 0;
  let changed = 0;
  return {
    add(order) {
      compared++;
      const before = validateOrder(order, now);
      const after = validateOrder(order, next);
      const changedRules: ChangedOrder['rules'][number][] = [];
      before.rules.forEach((was, i) => {
        const will = after.rules[i];
        const shift = shifts[i];
        if (will === undefined || shift === undefined) return;
        if (!was.passed) shift.failingNow++;
        if (!will.passed) shift.failingProposed++;
        if (was.passed && !will.passed) shift.newlyFailing++;
        if (!was.passed && will.passed) shift.noLongerFailing++;
        if (was.passed !== will.passed)
          changedRules.push({ ruleName: was.ruleName, passedNow: was.passed, message: was.message ?? will.message });
      });
      const from = registryStatusOf(before);
      const to = registryStatusOf(after);
      if (from === to) return;
      changed++;
      const key = `${from}>${to}`;
      const transition = transitions.get(key) ?? { from, to, count: 0 };
      transition.count++;
      transitions.set(key, transition);
      if (examples.length < maxExamples) examples.push({ order, from, to, rules: changedRules });
    },
    finish() {
      return {
        compared,
        changed,
        transitions: [...transitions.values()]
          .map((t) => ({ ...t }))
          .sort((a, b) => b.count - a.count || `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`)),
        rules: shifts.map((s) => ({ ...s })),
        examples: [...examples],
      };
    },
  };
}
