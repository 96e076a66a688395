import { Type, type Static } from 'typebox';
import { envelope } from './contract.js';

/**
 * /api/rebuild: the rebuild of the views from the orders log into a new generation of tables
 * (`kafka-monitor rebuild-views`), its plan, and its progress (also sent as `rebuild` events on the
 * live stream).
 */
const epochMs = (description: string) => Type.Integer({ description: `${description}, epoch milliseconds` });

export const RebuildPlanDto = Type.Object({
  'from-generation': Type.Integer({ minimum: 0, description: 'the generation of view tables answering now' }),
  'to-generation': Type.Integer({ minimum: 1, description: 'the generation the rebuild fills' }),
  resumes: Type.Boolean({ description: 'an interrupted rebuild is finished instead of a new one started' }),
  partitions: Type.Array(
    Type.Object({
      topic: Type.String(),
      partition: Type.Integer({ minimum: 0 }),
      'from-offset': Type.Integer({ minimum: 0 }),
      'to-offset': Type.Integer({ minimum: 0, description: 'the end offset now: the cut' }),
      messages: Type.Integer({ minimum: 0, description: 'messages to replay' }),
    }),
  ),
  messages: Type.Integer({ minimum: 0 }),
  'snapshot-entries': Type.Integer({
    minimum: 0,
    description: 'orders applied first from the snapshot the embedded log keeps of what retention deleted',
  }),
  'rate-per-second': Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
    description: 'messages per second the estimate assumes; null when nothing tells',
  }),
  'rate-basis': Type.Union([
    Type.Literal('last rebuild'),
    Type.Literal('query-processor throughput'),
    Type.Literal('unknown'),
  ]),
  'estimated-seconds': Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  running: Type.Union(
    [Type.Object({ owner: Type.String(), until: epochMs('the lease ends unless renewed') }), Type.Null()],
    { description: 'the rebuild running now, anywhere; a new one is refused until it ends' },
  ),
});
export type RebuildPlanDto = Static<typeof RebuildPlanDto>;
export const RebuildPlanBody = envelope(RebuildPlanDto);

export const RebuildProgressDto = Type.Object({
  phase: Type.Union([
    Type.Literal('replaying'),
    Type.Literal('catching-up'),
    Type.Literal('switching'),
    Type.Literal('dropping'),
    Type.Literal('done'),
  ]),
  done: Type.Integer({ minimum: 0, description: 'messages applied in this phase' }),
  total: Type.Integer({ minimum: 0 }),
});

export const RebuildReportDto = Type.Object({
  'started-at': epochMs('start'),
  'finished-at': epochMs('end'),
  'from-generation': Type.Integer({ minimum: 0 }),
  'to-generation': Type.Integer({ minimum: 1 }),
  replayed: Type.Integer({ minimum: 0, description: 'messages replayed up to the cut' }),
  'caught-up': Type.Integer({ minimum: 0, description: 'messages appended since, applied before the switch' }),
  'from-snapshot': Type.Integer({
    minimum: 0,
    description: 'orders applied first from the snapshot the embedded log keeps of what retention deleted',
  }),
  'rate-per-second': Type.Number({ minimum: 0 }),
});

export const RebuildStateDto = Type.Object({
  status: Type.Union([
    Type.Literal('never-run'),
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  'started-at': Type.Union([Type.Integer(), Type.Null()], { description: 'of the latest rebuild; null before any' }),
  plan: Type.Union([RebuildPlanDto, Type.Null()], { description: 'the plan of the latest rebuild' }),
  progress: Type.Union([RebuildProgressDto, Type.Null()]),
  report: Type.Union([RebuildReportDto, Type.Null()], { description: 'the latest finished rebuild' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the latest rebuild failed' }),
});
export type RebuildStateDto = Static<typeof RebuildStateDto>;
export const RebuildStateBody = envelope(RebuildStateDto);
