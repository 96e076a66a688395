import { Type, type Static } from 'typebox';

/**
 * GET /api/store: the store card of the Processors view. Kept apart from contract.ts so the shapes of
 * the store's status read on their own; the monitor's index exports both.
 */
export const StoreStatusDto = Type.Object({
  kind: Type.Union([Type.Literal('sqlite'), Type.Literal('cassandra')]),
  status: Type.Union([Type.Literal('connected'), Type.Literal('unavailable')]),
  'latency-ms': Type.Union([Type.Number({ minimum: 0, description: 'duration of one probe query' }), Type.Null()], {
    description: 'null when the probe failed',
  }),
  'size-bytes': Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description:
      'SQLite: database file and write-ahead log; Cassandra: estimated by the answering node; null when unknown',
  }),
  'size-note': Type.String({ description: 'how the size was measured, or why there is none' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the store is unavailable' }),
  'checked-at': Type.Integer({ description: 'epoch milliseconds of the probe' }),
});
export type StoreStatusDto = Static<typeof StoreStatusDto>;
export const StoreStatusBody = Type.Object({ success: Type.Literal(true), data: StoreStatusDto });
