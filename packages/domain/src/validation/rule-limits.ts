import type { Cents } from '../orders/money.js';

/** The thresholds of the rules that have one; everything else about the eight rules is fixed. */
export interface RuleLimits {
  /** minimum-quantity passes when quantity ≥ this. */
  readonly minQuantity: number;
  /** maximum-quantity passes when quantity ≤ this. */
  readonly maxQuantity: number;
  /** minimum-total passes when total ≥ this. */
  readonly minTotalCents: Cents;
  /** maximum-total passes when total ≤ this. */
  readonly maxTotalCents: Cents;
  /** price-consistency passes when |total − quantity × unit price| ≤ this. */
  readonly priceToleranceCents: Cents;
}

/** The limits of the specification's section 5. */
export const DEFAULT_RULE_LIMITS: RuleLimits = {
  minQuantity: 1,
  maxQuantity: 1000,
  minTotalCents: 100,
  maxTotalCents: 10_000_000,
  priceToleranceCents: 1,
};

/** Upper bound of every quantity limit: far above any real order, and keeps quantity × price exact. */
export const MAX_QUANTITY_LIMIT = 1_000_000_000;
/** Upper bound of every money limit, in cents (10^12 units: the system's largest amount). */
export const MAX_MONEY_LIMIT_CENTS = 100_000_000_000_000;

/** Field names as they are configured and sent, for problems that name the field to fix. */
export interface RuleLimitNames {
  readonly minQuantity: string;
  readonly maxQuantity: string;
  readonly minTotalCents: string;
  readonly maxTotalCents: string;
  readonly priceToleranceCents: string;
}

/**
 * What is wrong with a set of limits, one sentence per problem (empty when they are usable): whole
 * numbers in range, and each minimum at most its maximum, so that some order can pass every rule.
 */
export function ruleLimitProblems(limits: RuleLimits, names: RuleLimitNames): string[] {
  const problems: string[] = [];
  const whole = (key: keyof RuleLimits, min: number, max: number, unit: 'count' | 'cents') => {
    const value = limits[key];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(
        unit === 'count'
          ? `${names[key]} must be a whole number from ${min} to ${max}`
          : `${names[key]} must be an amount with at most two decimals from ${min / 100} to ${max / 100}`,
      );
      return false;
    }
    return true;
  };
  const checked = [
    whole('minQuantity', 0, MAX_QUANTITY_LIMIT, 'count'),
    whole('maxQuantity', 1, MAX_QUANTITY_LIMIT, 'count'),
    whole('minTotalCents', 0, MAX_MONEY_LIMIT_CENTS, 'cents'),
    whole('maxTotalCents', 1, MAX_MONEY_LIMIT_CENTS, 'cents'),
    whole('priceToleranceCents', 0, MAX_MONEY_LIMIT_CENTS, 'cents'),
  ];
  const quantities = checked[0] === true && checked[1] === true;
  const totals = checked[2] === true && checked[3] === true;
  if (quantities && limits.minQuantity > limits.maxQuantity)
    problems.push(`${names.minQuantity} must not exceed ${names.maxQuantity}`);
  if (totals && limits.minTotalCents > limits.maxTotalCents)
    problems.push(`${names.minTotalCents} must not exceed ${names.maxTotalCents}`);
  return problems;
}

export function sameRuleLimits(a: RuleLimits, b: RuleLimits): boolean {
  return (
    a.minQuantity === b.minQuantity &&
    a.maxQuantity === b.maxQuantity &&
    a.minTotalCents === b.minTotalCents &&
    a.maxTotalCents === b.maxTotalCents &&
    a.priceToleranceCents === b.priceToleranceCents
  );
}
