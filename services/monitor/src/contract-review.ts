import { Type, type Static } from 'typebox';
import { DECISION_STATUS, ORDER_STATUS, RegisteredOrderDto, envelope } from './contract.js';

/**
 * GET /api/review and POST /api/review/decisions: the queue of pending orders, oldest first, and bulk
 * decisions on it. Kept apart from contract.ts like the audit's and the store card's shapes.
 */
export const ReviewQueueQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })) },
  { additionalProperties: false },
);

export const ReviewItemDto = Type.Object({
  ...RegisteredOrderDto.properties,
  'age-seconds': Type.Number({ description: 'time since the order entered the queue (its registration)' }),
  overdue: Type.Boolean({ description: 'waiting longer than the SLA (REVIEW_SLA_MINUTES)' }),
});
export type ReviewItemDto = Static<typeof ReviewItemDto>;

export const REVIEW_EXPIRY = Type.Union([Type.Literal('deny'), Type.Literal('accept'), Type.Literal('off')]);

export const ReviewQueueDto = Type.Object({
  items: Type.Array(ReviewItemDto, { description: 'pending orders, oldest registration first, at most `limit`' }),
  'pending-count': Type.Integer({ description: 'every pending order, listed or not' }),
  'overdue-count': Type.Integer({
    description: 'pending orders past the SLA (exact up to the 5,000 oldest, since the overdue are the oldest)',
  }),
  'sla-minutes': Type.Integer(),
  expiry: REVIEW_EXPIRY,
  'as-of': Type.Integer({ description: 'epoch ms the ages are counted to' }),
});
export type ReviewQueueDto = Static<typeof ReviewQueueDto>;
export const ReviewQueueBody = envelope(ReviewQueueDto);

export const ReviewDecisionsBody = Type.Object(
  {
    'order-ids': Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: 'the orders to decide; each is answered on its own',
    }),
    status: DECISION_STATUS,
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ReviewDecisionsBody = Static<typeof ReviewDecisionsBody>;

export const REVIEW_OUTCOME = Type.Union(
  [Type.Literal('decided'), Type.Literal('pending'), Type.Literal('conflict'), Type.Literal('not-found')],
  {
    description:
      'decided: applied (200 of the single route); pending: sent, not applied within the wait (202); ' +
      'conflict: not pending, not registered yet, or decided meanwhile (409); not-found: unknown order (404)',
  },
);

export const ReviewDecisionResultDto = Type.Object({
  'order-id': Type.String(),
  outcome: REVIEW_OUTCOME,
  code: Type.Union([Type.Literal(200), Type.Literal(202), Type.Literal(404), Type.Literal(409)], {
    description: 'the status the single-order route would have answered',
  }),
  message: Type.Union([Type.String(), Type.Null()]),
  'request-id': Type.Union([Type.String(), Type.Null()], { description: 'the decision sent; null when none was' }),
  status: Type.Union([ORDER_STATUS, Type.Null()], {
    description: "the order's status after the call; null if unknown",
  }),
});
export type ReviewDecisionResultDto = Static<typeof ReviewDecisionResultDto>;

export const ReviewDecisionsDto = Type.Object({
  results: Type.Array(ReviewDecisionResultDto, { description: 'one per distinct order id, in request order' }),
  decided: Type.Integer(),
  pending: Type.Integer(),
  conflict: Type.Integer(),
  'not-found': Type.Integer(),
});
export type ReviewDecisionsDto = Static<typeof ReviewDecisionsDto>;
export const ReviewDecisionsAnswer = envelope(ReviewDecisionsDto);
