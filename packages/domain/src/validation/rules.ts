import { formatAmount, fromCents } from '../orders/money.js';
import { isOrderStatus, type Order } from '../orders/order.js';

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

export const MAX_QUANTITY = 1000;
export const MIN_TOTAL_CENTS = 100;
export const MAX_TOTAL_CENTS = 10_000_000;
export const PRICE_TOLERANCE_CENTS = 1;

const amount = (cents: number): string => `$${formatAmount(fromCents(cents))}`;

/** The eight rules, in the order they are evaluated and reported. */
export const BUSINESS_RULES: readonly BusinessRule[] = [
  {
    name: 'minimum-quantity',
    outcome: 'deny',
    check: (o) => (o.quantity >= 1 ? null : `Quantity must be at least 1, got: ${o.quantity}`),
  },
  {
    name: 'maximum-quantity',
    outcome: 'review',
    check: (o) =>
      o.quantity <= MAX_QUANTITY ? null : `Quantity exceeds maximum of ${MAX_QUANTITY}, got: ${o.quantity}`,
  },
  {
    name: 'minimum-total',
    outcome: 'deny',
    check: (o) =>
      o.totalCents >= MIN_TOTAL_CENTS
        ? null
        : `Total must be at least ${amount(MIN_TOTAL_CENTS)}, got: ${amount(o.totalCents)}`,
  },
  {
    name: 'maximum-total',
    outcome: 'review',
    check: (o) =>
      o.totalCents <= MAX_TOTAL_CENTS
        ? null
        : `Total exceeds maximum of ${amount(MAX_TOTAL_CENTS)}, got: ${amount(o.totalCents)}`,
  },
  {
    name: 'price-consistency',
    outcome: 'review',
    check: (o) => {
      const expected = o.quantity * o.unitPriceCents;
      return Math.abs(o.totalCents - expected) <= PRICE_TOLERANCE_CENTS
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
    check: (o) => (Number.isInteger(o.customerId) && o.customerId > 0 ? null : `Invalid customer ID: ${o.customerId}`),
  },
  {
    name: 'valid-product-id',
    outcome: 'deny',
    check: (o) => (o.productId.length > 0 ? null : 'Product ID cannot be empty'),
  },
];
