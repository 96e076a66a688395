import { describeStep, fromCents, journeyToWire, type Journey, type JourneyStep } from '@kafka-monitor/domain';
import { traceOrder } from '@kafka-monitor/pipeline';
import { CliError } from '../errors.js';
import { table } from '../format.js';
import { printJson, type CommandContext, type JsonOption } from './context.js';

export interface TraceOptions extends JsonOption {
  /** Trace the order produced last instead of a given id. */
  readonly latest?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const where = (step: JourneyStep) =>
  step.position === null ? '-' : `${step.position.topic}/${step.position.partition}@${step.position.offset}`;

const since = (ms: number | null) => (ms === null ? '-' : ms < 10_000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(1)} s`);

function render(journey: Journey): string[] {
  const o = journey.order;
  const heading =
    o === null
      ? `Order ${journey.orderId}`
      : `Order ${journey.orderId}: customer ${o.customerId}, ${o.productId}, ${o.quantity} × ${fromCents(
          o.unitPriceCents,
        )} = ${fromCents(o.totalCents)}`;
  const rows = journey.steps.map((step) => [
    step.at === null ? '-' : new Date(step.at).toISOString(),
    step.kind,
    where(step),
    since(step.sincePreviousMs),
    describeStep(step),
  ]);
  const failed = journey.steps.flatMap((step) =>
    step.kind === 'validated'
      ? step.rules.filter((r) => !r.passed).map((r) => `  ${r.ruleName}: ${r.message ?? 'failed'}`)
      : [],
  );
  const searches = journey.searches.map(
    (s) =>
      `Searched ${s.topic}/${s.partition} offsets ${s.fromOffset}…${s.toOffset - 1}: ${
        s.found ? 'found' : s.truncated ? 'not found within the bound' : 'not found'
      }.`,
  );
  return [
    heading,
    '',
    ...table(['TIME', 'STEP', 'WHERE', 'SINCE', 'WHAT'], rows),
    ...(failed.length === 0 ? [] : ['', 'Failed rules:', ...failed]),
    '',
    `Now: ${journey.state.stage}: ${journey.state.summary}`,
    ...searches,
  ];
}

/**
 * `trace <order-id>`: the order's journey as the API answers it, read straight from the bus and the
 * store (no monitor needed).
 */
export async function trace(context: CommandContext, orderId: string | undefined, options: TraceOptions) {
  const [bus, store] = await Promise.all([context.session.bus(), context.session.store()]);
  // UUIDs are stored lower-case; other producers' ids are kept as they are.
  let id = orderId !== undefined && UUID.test(orderId) ? orderId.toLowerCase() : orderId;
  if (options.latest === true) {
    const [last] = await store.produced.recentProduced(1);
    if (last === undefined) throw new CliError('no order was produced yet; run `kafka-monitor test-data` first');
    id = last.orderId;
  }
  if (id === undefined || id === '') throw new CliError('give an order id, or --latest');
  const journey = await traceOrder({ bus, store, now: context.now }, id);
  if (journey === undefined) throw new CliError(`order ${id} is not known to the store or the log`);
  if (options.json === true) printJson(context, journeyToWire(journey));
  else context.out.lines(render(journey));
}
