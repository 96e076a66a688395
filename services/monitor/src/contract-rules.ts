import { Type, type Static } from 'typebox';
import { ORDER_STATUS, OrderDto, envelope } from './contract.js';

/**
 * GET /api/rules, GET /api/rules/stats and POST /api/rules/simulate: the business rules' thresholds,
 * what each rule hit, and what other thresholds would change. Money is an amount with two decimals.
 */
const Quantity = (description: string, minimum: number) =>
  Type.Integer({ minimum, maximum: 1_000_000_000, description });
/** Rounded to the cent, as a new order's amounts are; the minimum is that of the rounded value. */
const Amount = (description: string, minimum: number) =>
  Type.Number({ minimum, maximum: 1_000_000_000_000, description: `${description} (rounded to the cent)` });

export const RuleLimitsDto = Type.Object({
  'min-quantity': Quantity('minimum-quantity passes when quantity ≥ this', 0),
  'max-quantity': Quantity('maximum-quantity passes when quantity ≤ this', 1),
  'min-total': Amount('minimum-total passes when total ≥ this', 0),
  'max-total': Amount('maximum-total passes when total ≤ this', 0.01),
  'price-tolerance': Amount('price-consistency passes when |total − quantity × unit price| ≤ this', 0),
});
export type RuleLimitsDto = Static<typeof RuleLimitsDto>;

const RULE_OUTCOME = Type.Union([Type.Literal('deny'), Type.Literal('review')]);

export const RulesDto = Type.Object({
  limits: RuleLimitsDto,
  defaults: Type.Object(RuleLimitsDto.properties, { description: "the specification's limits" }),
  rules: Type.Array(
    Type.Object({
      'rule-name': Type.String(),
      outcome: RULE_OUTCOME,
      'passes-when': Type.String({ description: 'the condition with the configured limit' }),
    }),
    { description: 'the eight rules, in the order they are evaluated' },
  ),
});
export type RulesDto = Static<typeof RulesDto>;
export const RulesBody = envelope(RulesDto);

const Hits = Type.Object({
  denied: Type.Integer({ minimum: 0, description: 'orders it failed that were denied' }),
  review: Type.Integer({ minimum: 0, description: 'orders it failed that went to the review queue' }),
});

export const RuleStatsDto = Type.Object({
  'computed-at': Type.Integer({ description: 'epoch milliseconds' }),
  'scan-limit': Type.Integer({ description: 'the newest this many registry messages are read' }),
  scanned: Type.Integer({ minimum: 0, description: 'registry messages read' }),
  complete: Type.Boolean({
    description: 'the whole retained registry log was read, so the windows and top lists cover every validation kept',
  }),
  orders: Type.Integer({ minimum: 0, description: 'distinct orders whose validation was read' }),
  'oldest-validated-at': Type.Union([Type.Integer(), Type.Null()], { description: 'null: no order read' }),
  rules: Type.Array(
    Type.Object({
      'rule-name': Type.String(),
      outcome: RULE_OUTCOME,
      'last-hour': Type.Object(Hits.properties, { description: 'from the registry messages read' }),
      'last-day': Type.Object(Hits.properties, { description: 'from the registry messages read' }),
      all: Type.Object(Hits.properties, {
        description: "all time: the registry's counters, every registered order counted once (not only those read)",
      }),
      'top-customers': Type.Array(Type.Object({ 'customer-id': Type.Integer(), count: Type.Integer() }), {
        description: 'most hit customers among the registry messages read',
      }),
      'top-products': Type.Array(Type.Object({ 'product-id': Type.String(), count: Type.Integer() }), {
        description: 'most hit products among the registry messages read',
      }),
    }),
  ),
});
export type RuleStatsDto = Static<typeof RuleStatsDto>;
export const RuleStatsBody = envelope(RuleStatsDto);

export const MAX_SIMULATED_ORDERS = 100_000;
export const DEFAULT_SIMULATED_ORDERS = 10_000;

export const SimulateRequest = Type.Object(
  {
    ...Type.Partial(RuleLimitsDto).properties,
    orders: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SIMULATED_ORDERS,
        default: DEFAULT_SIMULATED_ORDERS,
        description: 'how many of the newest orders of the log to replay',
      }),
    ),
  },
  { additionalProperties: false, description: 'limits to try; a limit left out keeps its configured value' },
);
export type SimulateRequest = Static<typeof SimulateRequest>;

export const SimulationDto = Type.Object({
  current: RuleLimitsDto,
  proposed: RuleLimitsDto,
  requested: Type.Integer({ description: 'orders asked for' }),
  read: Type.Integer({ minimum: 0, description: 'messages of orders read' }),
  undecodable: Type.Integer({ minimum: 0, description: 'messages that are not orders (poison), skipped' }),
  compared: Type.Integer({ minimum: 0 }),
  changed: Type.Integer({ minimum: 0, description: 'orders whose outcome would differ' }),
  'elapsed-ms': Type.Number({ minimum: 0 }),
  transitions: Type.Array(Type.Object({ from: ORDER_STATUS, to: ORDER_STATUS, count: Type.Integer() }), {
    description: 'outcome now → outcome with the proposed limits, most frequent first',
  }),
  rules: Type.Array(
    Type.Object({
      'rule-name': Type.String(),
      outcome: RULE_OUTCOME,
      'failing-now': Type.Integer({ minimum: 0 }),
      'failing-proposed': Type.Integer({ minimum: 0 }),
      'newly-failing': Type.Integer({ minimum: 0 }),
      'no-longer-failing': Type.Integer({ minimum: 0 }),
    }),
  ),
  examples: Type.Array(
    Type.Object({
      order: OrderDto,
      from: ORDER_STATUS,
      to: ORDER_STATUS,
      rules: Type.Array(
        Type.Object({
          'rule-name': Type.String(),
          'passed-now': Type.Boolean(),
          message: Type.Union([Type.String(), Type.Null()], { description: 'the failure under the limits it fails' }),
        }),
      ),
    }),
    { maxItems: 20, description: 'the first changed orders met, at most 20' },
  ),
});
export type SimulationDto = Static<typeof SimulationDto>;
export const SimulationBody = envelope(SimulationDto);
