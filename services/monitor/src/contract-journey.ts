import { Type, type Static, type TSchema } from 'typebox';
import { OrderDto, PositionDto } from './contract.js';

/**
 * GET /api/orders/{id}/journey: one order's way through the pipeline. Kept apart from contract.ts so
 * the journey's shapes read on their own; the monitor's index exports both.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const JOURNEY_STEP_KINDS = [
  'produced',
  'applied',
  'validated',
  'published',
  'registered',
  'decided',
  'dead-lettered',
  'redriven',
  'discarded',
  'redrive-failed',
] as const;

export const JourneyRuleDto = Type.Object({
  'rule-name': Type.String(),
  passed: Type.Boolean(),
  message: Nullable(Type.String()),
});

/** A step: when, where on the log, and the fields of its kind (absent for other kinds). */
export const JourneyStepDto = Type.Object({
  kind: Type.Enum(JOURNEY_STEP_KINDS),
  summary: Type.String({ description: 'one line for people' }),
  at: Nullable(Type.Integer({ description: 'epoch ms; null when no store kept the time' })),
  position: Nullable(PositionDto),
  'since-previous-ms': Nullable(Type.Integer({ description: 'since the previous step that has a time' })),
  via: Type.Optional(Type.Union([Type.Literal('api'), Type.Literal('generator'), Type.Literal('log')])),
  'request-id': Type.Optional(Nullable(Type.String())),
  views: Type.Optional(Type.Array(Type.String())),
  passed: Type.Optional(Type.Boolean()),
  rules: Type.Optional(Type.Array(JourneyRuleDto)),
  'rules-from': Type.Optional(Type.Union([Type.Literal('log'), Type.Literal('registration')])),
  version: Type.Optional(Type.Integer()),
  status: Type.Optional(Type.String()),
  'previous-status': Type.Optional(Nullable(Type.String())),
  by: Type.Optional(Nullable(Type.String())),
  reason: Type.Optional(Type.String()),
  'dead-letter-id': Type.Optional(Type.String()),
  groups: Type.Optional(Type.Array(Type.String())),
  actor: Type.Optional(Type.String()),
  note: Type.Optional(Nullable(Type.String())),
});
export type JourneyStepDto = Static<typeof JourneyStepDto>;

export const JourneyWaitDto = Type.Object({
  processor: Type.String(),
  topic: Type.String(),
  partition: Type.Integer(),
  messages: Type.Integer({ description: 'messages still to read up to the order, or the whole lag' }),
  'eta-seconds': Nullable(Type.Number({ description: 'at the current throughput; null when none is reported' })),
});

export const LogSearchDto = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  'from-offset': Type.Integer(),
  'to-offset': Type.Integer({ description: 'exclusive' }),
  truncated: Type.Boolean({ description: 'the bound stopped the search before the end of the log' }),
  found: Type.Boolean(),
});

export const JourneyDto = Type.Object({
  'order-id': Type.String(),
  order: Nullable(OrderDto),
  steps: Type.Array(JourneyStepDto),
  state: Type.Object({
    stage: Type.Union([
      Type.Literal('waiting'),
      Type.Literal('awaiting-decision'),
      Type.Literal('accepted'),
      Type.Literal('denied'),
      Type.Literal('dead-lettered'),
    ]),
    summary: Type.String(),
    'waiting-on': Type.Array(JourneyWaitDto),
  }),
  searches: Type.Array(LogSearchDto, { description: 'searches of the log an unprocessed order needed' }),
});
export type JourneyDto = Static<typeof JourneyDto>;
export const JourneyBody = Type.Object({ success: Type.Literal(true), data: JourneyDto });
