import type { Order, OrderStatus } from '../orders/order.js';
import { BUSINESS_RULES, ruleOutcomeOf, type BusinessRule, type RuleResult } from './rules.js';

export interface ValidationResult {
  readonly orderId: string;
  readonly passed: boolean;
  /** One entry per rule, in rule order; all eight are always evaluated. */
  readonly rules: readonly RuleResult[];
  /** null when passed, else `Validation failed: ` and the failure messages. */
  readonly message: string | null;
}

/**
 * Runs all eight rules without short-circuit; `rules` are `businessRules(limits)` when the limits are
 * configured (built once, not per order).
 */
export function validateOrder(order: Order, businessRules: readonly BusinessRule[] = BUSINESS_RULES): ValidationResult {
  const rules = businessRules.map((rule): RuleResult => {
    const message = rule.check(order);
    return { ruleName: rule.name, passed: message === null, message };
  });
  const failures = rules.flatMap((r) => (r.message === null ? [] : [r.message]));
  return {
    orderId: order.orderId,
    passed: failures.length === 0,
    rules,
    message: failures.length === 0 ? null : `Validation failed: ${failures.join(', ')}`,
  };
}

/**
 * The registry status an order enters with: every rule passed → accepted; a deny-rule failed →
 * denied; only review-rules failed → pending, waiting for an operator. Judged by rule name so a
 * result read back from the wire decides the same way; a rule this version does not know is
 * treated as suspicious rather than fatal.
 */
export function registryStatusOf(result: Pick<ValidationResult, 'rules'>): OrderStatus {
  const failed = result.rules.filter((r) => !r.passed);
  if (failed.length === 0) return 'accepted';
  const denies = failed.some((r) => ruleOutcomeOf(r.ruleName) === 'deny');
  return denies ? 'denied' : 'pending';
}
