import {
  DEFAULT_RULE_LIMITS,
  BUSINESS_RULES,
  fromCents,
  ruleLimitProblems,
  withAllTimeHits,
  type EventBus,
  type RegistryStore,
  type RuleLimits,
} from '@kafka-monitor/domain';
import { readRuleStats, simulateRules, type RuleStatsReport, type SimulationReport } from '@kafka-monitor/pipeline';
import {
  DEFAULT_SIMULATED_ORDERS,
  RuleStatsBody,
  RulesBody,
  SimulateRequest,
  SimulationBody,
  type RuleLimitsDto,
  type RuleStatsDto,
  type RulesDto,
  type SimulationDto,
} from '../../contract-rules.js';
import { orderDto, roundToCents } from '../dto.js';
import { HttpError, errorBody, errorResponses, type MonitorApp } from '../app-types.js';
import type { MutatingRoute } from './command-routes.js';

/** The newest registry messages the stats read: bounds their cost whatever the log's length. */
export const RULE_STATS_SCAN_LIMIT = 100_000;
/** Stats this recent are answered again rather than recomputed (the dashboard asks every few seconds). */
const RULE_STATS_FRESH_MS = 5_000;

export interface RuleRouteDeps {
  readonly bus: EventBus;
  /** The exact all-time counts per rule; the windows and top lists come from the log. */
  readonly registry: Pick<RegistryStore, 'ruleHits'>;
  readonly now: () => number;
  readonly limits: RuleLimits;
  readonly mutating: MutatingRoute;
  readonly statsScanLimit?: number;
}

const WIRE_NAMES = {
  minQuantity: 'min-quantity',
  maxQuantity: 'max-quantity',
  minTotalCents: 'min-total',
  maxTotalCents: 'max-total',
  priceToleranceCents: 'price-tolerance',
} as const;

export const limitsDto = (l: RuleLimits): RuleLimitsDto => ({
  'min-quantity': l.minQuantity,
  'max-quantity': l.maxQuantity,
  'min-total': fromCents(l.minTotalCents),
  'max-total': fromCents(l.maxTotalCents),
  'price-tolerance': fromCents(l.priceToleranceCents),
});

function passesWhen(ruleName: string, l: RuleLimitsDto): string {
  switch (ruleName) {
    case 'minimum-quantity':
      return `quantity ≥ ${l['min-quantity']}`;
    case 'maximum-quantity':
      return `quantity ≤ ${l['max-quantity']}`;
    case 'minimum-total':
      return `total ≥ ${l['min-total'].toFixed(2)}`;
    case 'maximum-total':
      return `total ≤ ${l['max-total'].toFixed(2)}`;
    case 'price-consistency':
      return `|total − quantity × unit price| ≤ ${l['price-tolerance'].toFixed(2)}`;
    case 'valid-status':
      return 'status is pending, accepted or denied';
    case 'valid-customer-id':
      return 'customer id is an integer > 0';
    default:
      return 'product id is not empty';
  }
}

export function rulesDto(limits: RuleLimits): RulesDto {
  const wire = limitsDto(limits);
  return {
    limits: wire,
    defaults: limitsDto(DEFAULT_RULE_LIMITS),
    rules: BUSINESS_RULES.map((r) => ({
      'rule-name': r.name,
      outcome: r.outcome,
      'passes-when': passesWhen(r.name, wire),
    })),
  };
}

/**
 * The proposed limits: the configured ones with the request's changes, amounts rounded to the cent as
 * a new order's are. The schema bounds each limit; limits that contradict each other (a minimum above
 * its maximum) are a question a what-if may ask, so only a bound the schema cannot state is a 400.
 */
function proposedLimits(current: RuleLimits, body: SimulateRequest): RuleLimits {
  const cents = (key: 'min-total' | 'max-total' | 'price-tolerance', fallback: number): number => {
    const amount = body[key];
    return amount === undefined ? fallback : roundToCents(amount);
  };
  const proposed: RuleLimits = {
    minQuantity: body['min-quantity'] ?? current.minQuantity,
    maxQuantity: body['max-quantity'] ?? current.maxQuantity,
    minTotalCents: cents('min-total', current.minTotalCents),
    maxTotalCents: cents('max-total', current.maxTotalCents),
    priceToleranceCents: cents('price-tolerance', current.priceToleranceCents),
  };
  const errors: Record<string, string> = {};
  for (const problem of ruleLimitProblems(proposed, WIRE_NAMES)) {
    if (problem.includes(' must not exceed ')) continue;
    const field = Object.values(WIRE_NAMES).find((name) => problem.startsWith(name)) ?? 'limits';
    errors[field] ??= problem.slice(field.length + 1);
  }
  const fields = Object.keys(errors);
  if (fields.length > 0) {
    throw new HttpError(400, fields.map((f) => `${f} ${errors[f] ?? ''}`).join('; '), errors);
  }
  return proposed;
}

const statsDto = (s: RuleStatsReport): RuleStatsDto => ({
  'computed-at': s.computedAt,
  'scan-limit': s.scanLimit,
  scanned: s.scanned,
  complete: s.complete,
  orders: s.orders,
  'oldest-validated-at': s.oldestValidatedAt,
  rules: s.rules.map((r) => ({
    'rule-name': r.ruleName,
    outcome: r.outcome,
    'last-hour': r.lastHour,
    'last-day': r.lastDay,
    all: r.all,
    'top-customers': r.topCustomers.map((c) => ({ 'customer-id': c.key, count: c.count })),
    'top-products': r.topProducts.map((p) => ({ 'product-id': p.key, count: p.count })),
  })),
});

const simulationDto = (s: SimulationReport, requested: number, elapsedMs: number): SimulationDto => ({
  current: limitsDto(s.current),
  proposed: limitsDto(s.proposed),
  requested,
  read: s.read,
  undecodable: s.undecodable,
  compared: s.compared,
  changed: s.changed,
  'elapsed-ms': Math.round(elapsedMs * 10) / 10,
  transitions: s.transitions.map((t) => ({ from: t.from, to: t.to, count: t.count })),
  rules: s.rules.map((r) => ({
    'rule-name': r.ruleName,
    outcome: r.outcome,
    'failing-now': r.failingNow,
    'failing-proposed': r.failingProposed,
    'newly-failing': r.newlyFailing,
    'no-longer-failing': r.noLongerFailing,
  })),
  examples: s.examples.map((e) => ({
    order: orderDto(e.order),
    from: e.from,
    to: e.to,
    rules: e.rules.map((r) => ({ 'rule-name': r.ruleName, 'passed-now': r.passedNow, message: r.message })),
  })),
});

/** The rules' limits, their analytics from the registry log, and a what-if replay of the orders log. */
export function registerRuleRoutes(app: MonitorApp, deps: RuleRouteDeps): void {
  const scanLimit = deps.statsScanLimit ?? RULE_STATS_SCAN_LIMIT;
  // One computation at a time, shared by every request that arrives meanwhile, and reused while fresh.
  let stats: { at: number; value: Promise<RuleStatsReport> } | undefined;
  let simulating = false;

  app.get(
    '/api/rules',
    {
      schema: {
        operationId: 'getRules',
        tags: ['rules'],
        summary: 'The eight business rules with their configured limits (RULE_*) and the defaults',
        response: { 200: RulesBody },
      },
    },
    () => ({ success: true as const, data: rulesDto(deps.limits) }),
  );

  app.get(
    '/api/rules/stats',
    {
      schema: {
        operationId: 'getRuleStats',
        tags: ['rules'],
        summary:
          'Per rule: orders denied or sent to review in all time (exact, from the registry), and in the last hour and day with top customers and products (from the newest 100,000 registry messages)',
        response: { 200: RuleStatsBody, ...errorResponses(503) },
      },
    },
    async () => {
      const now = deps.now();
      if (stats === undefined || now - stats.at >= RULE_STATS_FRESH_MS) {
        const value = Promise.all([
          readRuleStats({ bus: deps.bus, now: deps.now }, scanLimit),
          deps.registry.ruleHits(),
        ]).then(([read, counts]): RuleStatsReport => ({ ...read, ...withAllTimeHits(read, counts) }));
        stats = { at: now, value };
        // A failed computation is not kept: the next request tries again.
        value.catch(() => {
          if (stats?.value === value) stats = undefined;
        });
      }
      return { success: true as const, data: statsDto(await stats.value) };
    },
  );

  app.post(
    '/api/rules/simulate',
    {
      ...deps.mutating.guard,
      schema: {
        operationId: 'simulateRules',
        tags: ['rules'],
        summary:
          'Replay the newest orders of the log (at most 100,000) through the rules with other limits: outcomes that would change, per rule, with examples. Nothing is produced or stored; 409 while one runs',
        ...deps.mutating.schema,
        body: SimulateRequest,
        response: { 200: SimulationBody, ...errorResponses(400, 409, 413, 415, 503), ...deps.mutating.errors },
      },
    },
    async (request, reply) => {
      const proposed = proposedLimits(deps.limits, request.body);
      if (simulating) return reply.code(409).send(errorBody('a simulation is already running; try again when it ends'));
      simulating = true;
      try {
        const requested = request.body.orders ?? DEFAULT_SIMULATED_ORDERS;
        const started = performance.now();
        const report = await simulateRules({ bus: deps.bus, now: deps.now }, deps.limits, proposed, requested);
        return { success: true as const, data: simulationDto(report, requested, performance.now() - started) };
      } finally {
        simulating = false;
      }
    },
  );
}
