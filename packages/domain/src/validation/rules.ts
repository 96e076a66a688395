import { formatAmount, fromCents } from '../orders/money.js';
import { isOrderStatus, type Order } from '../orders/order.js';
import { DEFAULT_RULE_LIMITS, type RuleLimits } from './rule-limits.js';

/** deny: the order is structurally wrong. review: suspicious, an operator decides. */
export type RuleOutcome = 'deny' | 'review';

export interface RuleResult {
  readonly ruleName: string;
  readonly passed: boolean;
  readonly message: string | null;
}

export interface BusinessRule {
  readonly name: string;
  readonly outcome: RuleOutcome;
  /** Returns null when the order passes, else the failure message of section 5. */
  readonly check: (order: Order) => string | null;
}

/** The specification's limits, kept as names for code that means exactly these. */
export const MAX_QUANTITY = DEFAULT_RULE_LIMITS.maxQuantity;
export const MIN_TOTAL_CENTS = DEFAULT_RULE_LIMITS.minTotalCents;
export const MAX_TOTAL_CENTS = DEFAULT_RULE_LIMITS.maxTotalCents;
export const PRICE_TOLERANCE_CENTS = DEFAULT_RULE_LIMITS.priceToleranceCents;

const amount = (cents: number): string => `$${formatAmount(fromCents(cents))}`;

/** The eight rules with the given limits, in the order they are evaluated and reported. */
export function businessRules(limits: RuleLimits): readonly BusinessRule[] {
  const { minQuantity, maxQuantity, minTotalCents, maxTotalCents, priceToleranceCents } = limits;
  return [
    {
      name: 'minimum-quantity',
      outcome: 'deny',
      check: (o) => (o.quantity >= minQuantity ? null : `Quantity must be at least ${minQuantity}, got: ${o.quantity}`),
    },
    {
      name: 'maximum-quantity',
      outcome: 'review',
      check: (o) =>
        o.quantity <= maxQuantity ? null : `Quantity exceeds maximum of ${maxQuantity}, got: ${o.quantity}`,
    },
    {
      name: 'minimum-total',
      outcome: 'deny',
      check: (o) =>
        o.totalCents >= minTotalCents
          ? null
          : `Total must be at least ${amount(minTotalCents)}, got: ${amount(o.totalCents)}`,
    },
    {
      name: 'maximum-total',
      outcome: 'review',
      check: (o) =>
        o.totalCents <= maxTotalCents
          ? null
          : `Total exceeds maximum of ${amount(maxTotalCents)}, got: ${amount(o.totalCents)}`,
    },
    {
      name: 'price-consistency',
      outcome: 'review',
      check: (o) => {
        const expected = o.quantity * o.unitPriceCents;
        return Math.abs(o.totalCents - expected) <= priceToleranceCents
          ? null
          : `Total mismatch. Expected: ${amount(expected)}, got: ${amount(o.totalCents)}`;
      },
    },
    {
      name: 'valid-status',
      outcome: 'deny',
      check: (o) => (isOrderStatus(o.status) ? null : `Invalid status: ${o.status}`),
    },
    {
      name: 'valid-customer-id',
      outcome: 'deny',
      check: (o) =>
        Number.isInteger(o.customerId) && o.customerId > 0 ? null : `Invalid customer ID: ${o.customerId}`,
    },
    {
      name: 'valid-product-id',
      outcome: 'deny',
      check: (o) => (o.productId.length > 0 ? null : 'Product ID cannot be empty'),
    },
  ];
}

/** The eight rules with the specification's limits. */
export const BUSINESS_RULES: readonly BusinessRule[] = businessRules(DEFAULT_RULE_LIMITS);

/** The outcome of a rule by name; a rule this version does not know counts as review. */
export function ruleOutcomeOf(ruleName: string): RuleOutcome {
  return BUSINESS_RULES.find((rule) => rule.name === ruleName)?.outcome ?? 'review';
}
