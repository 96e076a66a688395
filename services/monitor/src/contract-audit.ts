import { Type, type Static } from 'typebox';
import { envelope } from './contract.js';

/**
 * GET and POST /api/audit: the consistency audit (`kafka-monitor verify`) run by the monitor, and
 * its latest result. Kept apart from contract.ts like the store card's shapes.
 */
const DriftValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
  description: 'null: the row does not exist on that side',
});

export const DriftDto = Type.Object({
  view: Type.Union([
    Type.Literal('customer'),
    Type.Literal('product'),
    Type.Literal('totals'),
    Type.Literal('registered-order'),
    Type.Literal('registry-totals'),
  ]),
  key: Type.String({ description: 'customer id, product id, order id, or orders/registry for the totals' }),
  field: Type.String({ description: "the field that differs; 'row' when the row exists on one side only" }),
  expected: DriftValue,
  stored: DriftValue,
});

export const AuditReportDto = Type.Object({
  'started-at': Type.Integer({ description: 'epoch milliseconds' }),
  'finished-at': Type.Integer({ description: 'epoch milliseconds' }),
  cut: Type.Array(
    Type.Object({
      topic: Type.String(),
      partition: Type.Integer({ minimum: 0 }),
      'end-offset': Type.Integer({ minimum: 0, description: 'read when the audit started' }),
    }),
  ),
  'caught-up': Type.Boolean({ description: 'the processors had consumed up to the cut before the store was read' }),
  read: Type.Object({
    orders: Type.Integer({ minimum: 0 }),
    registry: Type.Integer({ minimum: 0 }),
    undecodable: Type.Integer({ minimum: 0 }),
    snapshot: Type.Integer({
      minimum: 0,
      description: 'entries read from the snapshots the embedded log keeps of what retention deleted',
    }),
  }),
  compared: Type.Object({
    customers: Type.Integer({ minimum: 0 }),
    products: Type.Integer({ minimum: 0 }),
    'registered-orders': Type.Integer({ minimum: 0 }),
    totals: Type.Integer({ minimum: 0 }),
  }),
  'skipped-after-cut': Type.Integer({
    minimum: 0,
    description: 'rows changed by messages after the cut, not compared',
  }),
  drifts: Type.Array(DriftDto),
  clean: Type.Boolean({ description: 'true only with zero drift' }),
});
export type AuditReportDto = Static<typeof AuditReportDto>;

export const AuditStateDto = Type.Object({
  status: Type.Union([
    Type.Literal('never-run'),
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  'started-at': Type.Union([Type.Integer(), Type.Null()], { description: 'of the latest audit; null before any' }),
  report: Type.Union([AuditReportDto, Type.Null()], { description: 'the latest finished audit; null before any' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the latest audit failed' }),
});
export type AuditStateDto = Static<typeof AuditStateDto>;
export const AuditStateBody = envelope(AuditStateDto);
