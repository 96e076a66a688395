import { Type, type Static, type TSchema } from 'typebox';

/**
 * The monitor's HTTP contract: one TypeBox schema per body gives the server its validation and
 * serialisation, the OpenAPI document its shapes, and the dashboard its types.
 */
export const ErrorBody = Type.Object({ success: Type.Literal(false), error: Type.String() });
export type ErrorBody = Static<typeof ErrorBody>;

export const envelope = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data });

export const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
  bus: Type.Object({ type: Type.String(), status: Type.String(), error: Type.Optional(Type.String()) }),
  store: Type.Object({ type: Type.String(), status: Type.String(), error: Type.Optional(Type.String()) }),
  timestamp: Type.Integer(),
});
export type HealthBody = Static<typeof HealthBody>;

export const StatsData = Type.Object({
  'query-processor': Type.Object({
    'customer-count': Type.Integer(),
    'product-count': Type.Integer(),
    'total-orders': Type.Integer(),
    'total-customers-spent': Type.Number(),
    'total-revenue-accepted': Type.Number(),
  }),
  'registry-processor': Type.Object({
    'registered-count': Type.Integer(),
    'accepted-count': Type.Integer(),
    'denied-count': Type.Integer(),
    'pending-count': Type.Integer(),
  }),
  timestamp: Type.Integer(),
});
export type StatsData = Static<typeof StatsData>;
export const StatsBody = envelope(StatsData);
