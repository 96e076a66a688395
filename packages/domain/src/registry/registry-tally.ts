import type { OrderStatus } from '../orders/order.js';
import type { RuleHits } from '../validation/rule-stats.js';
import type { RegisteredOrder } from './registered-order.js';

/** Per rule name, the orders it denied or sent to review at their registration. */
export type RuleHitCounts = Readonly<Record<string, RuleHits>>;

/**
 * `base` plus `added`, rule by rule: how a store adds a batch's rule hits to what it kept. Counts that
 * are not non-negative integers (a damaged stored value) are read as 0.
 */
export function addRuleHits(base: RuleHitCounts, added: RuleHitCounts): RuleHitCounts {
  const count = (n: unknown): number => (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0);
  const sum: Record<string, RuleHits> = {};
  for (const [rule, hits] of [...Object.entries(base), ...Object.entries(added)]) {
    const before = sum[rule] ?? { denied: 0, review: 0 };
    sum[rule] = { denied: before.denied + count(hits.denied), review: before.review + count(hits.review) };
  }
  return sum;
}

/**
 * What one batch of registry messages adds to the registry's counters: every store adds it to its
 * totals once, at the end of the batch. A registration counts the order under its status, and as
 * validated (approved or rejected); a decision moves it from its previous status to its new one.
 * Accepted revenue follows the orders that became accepted. Each rule an order failed counts once at
 * its registration, as denied or sent to review by the status the order entered with (the same rule
 * as `ruleStatsFold`): a later decision does not change why the order was held.
 */
export class RegistryTally {
  registered = 0;
  approved = 0;
  rejected = 0;
  revenueCents = 0;
  readonly byStatus: Record<OrderStatus, number> = { pending: 0, accepted: 0, denied: 0 };
  private readonly hits = new Map<string, { denied: number; review: number }>();

  countRegistration(registered: RegisteredOrder): void {
    this.registered++;
    this.byStatus[registered.status]++;
    if (registered.status === 'accepted') this.revenueCents += registered.order.totalCents;
    if (registered.validationPassed) this.approved++;
    else this.rejected++;
    if (registered.status === 'accepted') return;
    const field = registered.status === 'denied' ? 'denied' : 'review';
    for (const rule of registered.failedRules) {
      const hits = this.hits.get(rule.ruleName) ?? { denied: 0, review: 0 };
      hits[field]++;
      this.hits.set(rule.ruleName, hits);
    }
  }

  /** Per rule, what this batch's registrations added (rules with no hit are absent). */
  get ruleHits(): RuleHitCounts {
    return Object.fromEntries([...this.hits].map(([rule, hits]) => [rule, { ...hits }]));
  }

  /** `decided` is the order after a decision that changed its status from `previous`. */
  countDecision(previous: OrderStatus, decided: RegisteredOrder): void {
    this.byStatus[previous]--;
    this.byStatus[decided.status]++;
    if (decided.status === 'accepted') this.revenueCents += decided.order.totalCents;
  }

  /** Every registration is validated once: approved or rejected. */
  get validated(): number {
    return this.registered;
  }

  get isEmpty(): boolean {
    const { pending, accepted, denied } = this.byStatus;
    return this.registered === 0 && pending === 0 && accepted === 0 && denied === 0 && this.revenueCents === 0;
  }
}
