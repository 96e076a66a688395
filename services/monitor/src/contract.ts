import { Type, type Static, type TSchema } from 'typebox';

/**
 * The monitor's HTTP contract. Each TypeBox schema gives the server its validation and
 * serialisation, the OpenAPI document its shapes, and clients their types. Bodies use kebab-case
 * keys and the envelope of the original system.
 */
export const ErrorBody = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String({ description: 'what went wrong' }),
    message: Type.String({ description: 'the same text, under the key the original system used' }),
    errors: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'per field, for a refused new order' }),
    ),
  },
  { title: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const envelope = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data });
export const listEnvelope = <T extends TSchema>(item: T) =>
  Type.Object({ success: Type.Literal(true), data: Type.Array(item), count: Type.Integer() });

export const ORDER_STATUS = Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('denied')]);
/** A decision an operator may take on a pending order. */
export const DECISION_STATUS = Type.Enum(['accepted', 'denied']);

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const OrderDto = Type.Object({
  'order-id': Type.String(),
  'customer-id': Type.Integer(),
  'product-id': Type.String(),
  quantity: Type.Integer(),
  'unit-price': Type.Number(),
  total: Type.Number(),
  timestamp: Type.Integer(),
  status: Type.String(),
});
export type OrderDto = Static<typeof OrderDto>;

export const TimelineEntryDto = Type.Object({
  ...OrderDto.properties,
  'order-status': Type.String(),
  registered: Type.Boolean(),
});
export type TimelineEntryDto = Static<typeof TimelineEntryDto>;

export const CustomerDto = Type.Object({
  'customer-id': Type.Integer(),
  'total-orders': Type.Integer(),
  'total-spent': Type.Number(),
  'first-order-timestamp': Type.Integer(),
  'last-order-id': Type.String(),
  'last-order-timestamp': Type.Integer(),
});
export type CustomerDto = Static<typeof CustomerDto>;

export const ProductDto = Type.Object({
  'product-id': Type.String(),
  'total-quantity': Type.Integer(),
  'total-revenue': Type.Number(),
  'order-count': Type.Integer(),
  'avg-quantity': Type.Number(),
  'last-order-timestamp': Type.Integer(),
});
export type ProductDto = Static<typeof ProductDto>;

export const FailedRuleDto = Type.Object({ 'rule-name': Type.String(), message: Nullable(Type.String()) });

export const RegisteredOrderDto = Type.Object({
  ...OrderDto.properties,
  status: ORDER_STATUS,
  'order-status': Type.String(),
  'registered-at': Type.Integer(),
  'updated-at': Type.Integer(),
  version: Type.Integer(),
  'validation-passed': Type.Boolean(),
  'failed-rules': Type.Array(FailedRuleDto),
});
export type RegisteredOrderDto = Static<typeof RegisteredOrderDto>;

export const StatusUpdateDto = Type.Object({
  'order-id': Type.String(),
  version: Type.Integer(),
  'previous-status': Nullable(ORDER_STATUS),
  'new-status': ORDER_STATUS,
  'updated-at': Type.Integer(),
  'update-reason': Type.String(),
  'request-id': Nullable(Type.String()),
  'requested-by': Nullable(Type.String()),
});
export type StatusUpdateDto = Static<typeof StatusUpdateDto>;

export const DiskHealth = Type.Object(
  {
    path: Type.String({ description: 'DATA_DIR' }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('low'), Type.Literal('full')], {
      description:
        'ok; low: less free space than DISK_WARN_FREE_MB; full: the embedded log or store refuses writes for lack of space',
    }),
    reason: Type.Optional(Type.String()),
    'free-bytes': Type.Union([Type.Integer(), Type.Null()], { description: 'null before the first reading' }),
    'size-bytes': Type.Union([Type.Integer(), Type.Null()]),
    'warn-free-bytes': Type.Integer({ description: 'DISK_WARN_FREE_MB in bytes (0: never low)' }),
  },
  { description: 'The disk of DATA_DIR; present when the embedded log or store is in use' },
);
export type DiskHealth = Static<typeof DiskHealth>;

export const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
  /** Why it is not healthy (the disk's reason, or the failing check's error). */
  reason: Type.Optional(Type.String()),
  bus: Type.Object({ type: Type.String(), status: Type.String(), error: Type.Optional(Type.String()) }),
  store: Type.Object({ type: Type.String(), status: Type.String(), error: Type.Optional(Type.String()) }),
  disk: Type.Optional(DiskHealth),
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

export const CONSUMER_STATUS = Type.Union(
  [Type.Literal('OK'), Type.Literal('WARN'), Type.Literal('STALL'), Type.Literal('STOP'), Type.Literal('REWIND')],
  {
    description:
      "Burrow's status over the evaluation window: OK; WARN, the lag grew all along; STALL, the committed offset " +
      'did not move while lag waited; STOP, the same with no member left; REWIND, the committed offset went back',
  },
);

export const PartitionLagDto = Type.Object({
  topic: Type.String(),
  partition: Type.Integer(),
  'committed-offset': Type.Integer(),
  'end-offset': Type.Integer(),
  lag: Type.Integer(),
  'lag-seconds': Type.Number({ description: 'age of the oldest message not committed (0 when caught up)' }),
  status: CONSUMER_STATUS,
  'consume-rate': Nullable(Type.Number({ description: 'messages committed per second over the window' })),
  'produce-rate': Nullable(Type.Number({ description: 'messages appended per second over the window' })),
  'lag-slope': Nullable(
    Type.Number({
      description:
        'change of the lag in messages per second over the window (least squares): positive while it grows, ' +
        'negative while it drains, null before two samples',
    }),
  ),
  trend: Nullable(
    Type.Union([Type.Literal('growing'), Type.Literal('shrinking'), Type.Literal('steady')], {
      description: 'direction of the lag over the window (null before two samples)',
    }),
  ),
  'time-to-drain-seconds': Nullable(
    Type.Union([Type.Number(), Type.Literal('growing')], {
      description:
        'seconds until the lag reaches 0 at the current pace; 0 when caught up, "growing" when it will not, ' +
        'null when it cannot be told (too few samples, or a steady lag)',
    }),
  ),
});

export const LagHistoryDto = Type.Object(
  {
    'sample-every-seconds': Type.Number(),
    times: Type.Array(Type.Integer(), { description: 'epoch ms of each sample, oldest first' }),
    lag: Type.Array(Nullable(Type.Integer()), {
      description: 'lag summed over the partitions; null where the committed offset was not recovered after a restart',
    }),
    'lag-seconds': Type.Array(Nullable(Type.Number()), { description: 'largest lag in seconds of the partitions' }),
    'end-offset': Type.Array(Type.Integer(), { description: 'end offsets summed over the partitions' }),
  },
  { description: 'the kept samples of the last hour, in columns; only with ?history=true' },
);

export const ProcessorStatusQuery = Type.Object(
  {
    history: Type.Optional(
      Type.Boolean({ default: false, description: "add each group's lag history of the last hour" }),
    ),
  },
  { additionalProperties: false },
);

export const ProcessorStatusDto = Type.Object({
  name: Type.String(),
  status: Type.Union([
    Type.Literal('healthy'),
    Type.Literal('degraded'),
    Type.Literal('stalled'),
    Type.Literal('down'),
  ]),
  instances: Type.Integer(),
  uptime: Type.Number({ description: 'seconds since the oldest live instance started (the original key)' }),
  'uptime-seconds': Type.Number({ description: 'the same value as uptime' }),
  processed: Type.Integer(),
  errors: Type.Integer(),
  'throughput-per-second': Type.Number(),
  'last-processed': Nullable(Type.Integer()),
  'consumer-group': Nullable(
    Type.Object({
      group: Type.String(),
      lag: Type.Integer(),
      'lag-seconds': Type.Number(),
      status: CONSUMER_STATUS,
      members: Type.Integer({ description: 'live members of the group' }),
      'window-seconds': Type.Number({ description: 'evaluation window of the status, rates and trends' }),
      partitions: Type.Array(PartitionLagDto),
      history: Type.Optional(LagHistoryDto),
      'offset-resets': Type.Optional(
        Type.Array(
          Type.Object({
            topic: Type.String(),
            partition: Type.Integer(),
            'from-offset': Type.Integer({ description: 'the offset the group would have read next' }),
            'to-offset': Type.Integer({ description: 'the log start it resumed at' }),
            at: Type.Integer({ description: 'epoch ms of the latest reset' }),
            count: Type.Integer({ description: 'resets of the group on this partition in all' }),
          }),
          {
            description:
              'resets to the log start because retention deleted the group’s position (auto.offset.reset=earliest); ' +
              'the messages in between were not processed. Absent on Kafka, whose brokers do not record them',
          },
        ),
      ),
    }),
  ),
});
export type ProcessorStatusDto = Static<typeof ProcessorStatusDto>;
export const ProcessorsData = Type.Object({ processors: Type.Array(ProcessorStatusDto), timestamp: Type.Integer() });
export type ProcessorsData = Static<typeof ProcessorsData>;

export const GeneratorDto = Type.Object({ 'order-rate': Type.Number(), 'anomaly-rate': Type.Number() });
export type GeneratorDto = Static<typeof GeneratorDto>;
export const GeneratorChange = Type.Object(
  {
    'order-rate': Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
    'anomaly-rate': Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const StatusChangeBody = Type.Object(
  {
    status: DECISION_STATUS,
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type StatusChangeBody = Static<typeof StatusChangeBody>;

export const StatusRequestDto = Type.Object({
  'request-id': Type.String(),
  'order-id': Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('applied'), Type.Literal('rejected')]),
  reason: Nullable(Type.String()),
  location: Type.String(),
});
export type StatusRequestDto = Static<typeof StatusRequestDto>;

/**
 * The new-order body; the route reports every field's problem at once. Money is kept in cents, so an
 * amount is rounded to the nearest cent: a schema cannot say "at most two decimals" of a binary number
 * (`multipleOf: 0.01` fails for 19.99 in every JSON Schema validator), and a rule the document cannot
 * state would refuse requests the document allows.
 */
export const NewOrderBody = Type.Object({
  'customer-id': Type.Integer({ minimum: 1, maximum: 2147483647 }),
  'product-id': Type.String({ minLength: 1, maxLength: 64 }),
  quantity: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  'unit-price': Type.Number({ minimum: 0.01, maximum: 1_000_000, description: 'rounded to the cent' }),
  total: Type.Optional(
    Type.Number({
      minimum: 0.01,
      maximum: 1_000_000_000,
      description: 'rounded to the cent; quantity × unit-price when absent',
    }),
  ),
});
export type NewOrderBody = Static<typeof NewOrderBody>;

export const DebugDto = Type.Object({
  'order-id': Type.String(),
  produced: Type.Boolean(),
  timeline: Type.Boolean(),
  registered: Type.Boolean(),
  'produced-order': Nullable(OrderDto),
  'timeline-entry': Nullable(OrderDto),
  'registered-order': Nullable(RegisteredOrderDto),
});
/**
 * The original answered this diagnostic without the `data` envelope, under `in-registered`,
 * `in-timeline`, `registered-data` and `timeline-data`; those keys stay beside `data` so its clients
 * keep reading them.
 */
export const DebugBody = Type.Object({
  success: Type.Literal(true),
  data: DebugDto,
  'order-id': Type.String(),
  'in-registered': Type.Boolean(),
  'in-timeline': Type.Boolean(),
  'registered-data': Nullable(RegisteredOrderDto),
  'timeline-data': Nullable(OrderDto),
});

/**
 * Parameters shared by several operations carry a `title`: the document lists each once under
 * `components.parameters` by that name.
 */
const LimitParam = (fallback: number) =>
  Type.Integer({
    title: `Limit${fallback}`,
    default: fallback,
    description: `how many; an integer (digits only), clamped to 1…1000; default ${fallback}`,
  });
export const Limit = (fallback: number) => Type.Object({ limit: Type.Optional(LimitParam(fallback)) });
export const SearchQuery = (fallback: number) =>
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 256 })),
    limit: Type.Optional(LimitParam(fallback)),
  });
/** An id as stored: any text of 1 to 256 characters (dead letters, products, status requests). */
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
/**
 * An order id: any text of 1 to 256 characters, since other producers may use ids of their own; a
 * UUID is matched in any case (UUIDs are case-insensitive, the stored form is lower-case).
 */
export const OrderIdParam = Type.Object({
  id: Type.String({ title: 'OrderId', minLength: 1, maxLength: 256, description: 'the order id; a UUID in any case' }),
});
/** A UUID in any case, hyphenated: what `/api/orders/search/{id}` looks up. */
export const OrderUuidParam = Type.Object({
  id: Type.String({
    title: 'OrderUuid',
    pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
    description: 'a hyphenated UUID, in any case',
  }),
});
/** Customer ids are 32-bit integers (the `int` column of the original tables). */
export const CustomerIdParam = Type.Object({
  id: Type.Integer({ minimum: -2147483648, maximum: 2147483647, description: 'a 32-bit integer (digits only)' }),
});
export const OrderStatusParam = Type.Object({ status: Type.Enum(['pending', 'accepted', 'denied']) });
/** `Last-Event-ID`: the change cursor of the last event seen; empty means none. */
export const StreamHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ pattern: '^[0-9]{0,15}$', description: 'resume after this change cursor (the id of an event)' }),
  ),
});
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'the same key with the same body answers the first order again instead of making a new one',
    }),
  ),
});

export const DEAD_LETTER_STATUS = Type.Union([
  Type.Literal('pending'),
  Type.Literal('redriven'),
  Type.Literal('discarded'),
]);

export const PositionDto = Type.Object({ topic: Type.String(), partition: Type.Integer(), offset: Type.Integer() });

export const DeadLetterActionDto = Type.Object({
  action: Type.Union([Type.Literal('redrive'), Type.Literal('discard'), Type.Literal('redrive-failed')]),
  at: Type.Integer(),
  actor: Type.String(),
  note: Nullable(Type.String()),
  'edited-payload': Nullable(Type.String()),
  'redriven-to': Nullable(PositionDto),
});
export type DeadLetterActionDto = Static<typeof DeadLetterActionDto>;

/** A dead letter in a list: the payload cut to a preview, so a page of them stays small. */
export const DeadLetterSummaryDto = Type.Object({
  id: Type.String({ description: 'topic:partition:offset of the original message' }),
  topic: Type.String(),
  partition: Type.Integer(),
  offset: Type.Integer(),
  key: Nullable(Type.String()),
  reason: Type.String(),
  groups: Type.Array(Type.String()),
  'failed-at': Type.Integer(),
  status: DEAD_LETTER_STATUS,
  'updated-at': Type.Integer(),
  'payload-preview': Type.String(),
  'payload-bytes': Type.Integer(),
});
export type DeadLetterSummaryDto = Static<typeof DeadLetterSummaryDto>;

export const DeadLetterDto = Type.Object({
  ...DeadLetterSummaryDto.properties,
  payload: Type.String({ description: 'the original bytes: UTF-8 text, or base64 when they are not valid UTF-8' }),
  'payload-encoding': Type.Union([Type.Literal('utf-8'), Type.Literal('base64')]),
  headers: Type.Record(Type.String(), Type.String()),
  actions: Type.Array(DeadLetterActionDto),
});
export type DeadLetterDto = Static<typeof DeadLetterDto>;

export const ReasonCountDto = Type.Object({ reason: Type.String(), count: Type.Integer() });
export const DeadLetterReasonsData = Type.Object({
  status: DEAD_LETTER_STATUS,
  total: Type.Integer(),
  reasons: Type.Array(ReasonCountDto),
});
export type DeadLetterReasonsData = Static<typeof DeadLetterReasonsData>;

const DeadLetterStatusQuery = Type.Enum(['pending', 'redriven', 'discarded'], {
  title: 'DeadLetterStatus',
  default: 'pending',
});
export const DeadLetterListQuery = Type.Object({
  status: Type.Optional(DeadLetterStatusQuery),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(LimitParam(100)),
});
export const DeadLetterReasonsQuery = Type.Object({ status: Type.Optional(DeadLetterStatusQuery) });

/** Who acts and why, recorded in the audit trail. */
const ActionFields = {
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  note: Type.Optional(Type.String({ maxLength: 500 })),
};
export const RedriveBody = Type.Object(
  {
    ...ActionFields,
    payload: Type.Optional(
      Type.String({ maxLength: 60_000, description: 'replaces the original bytes (sent as UTF-8) when given' }),
    ),
  },
  { additionalProperties: false },
);
export type RedriveBody = Static<typeof RedriveBody>;
export const DiscardBody = Type.Object(ActionFields, { additionalProperties: false });
export type DiscardBody = Static<typeof DiscardBody>;

/** The data of a `status` event of the live stream: an order's status changed. */
export const StreamStatusDto = Type.Object({
  'order-id': Type.String(),
  'previous-status': Nullable(ORDER_STATUS),
  'new-status': ORDER_STATUS,
  version: Type.Integer(),
  'updated-at': Type.Integer(),
});
/** The data of a `reset` event: the client missed too much to catch up and should reload. */
export const StreamResetDto = Type.Object({ reason: Type.String() });
