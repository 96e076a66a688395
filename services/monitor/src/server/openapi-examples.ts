/**
 * One example per operation of the OpenAPI document: the request body where there is one, and the
 * success answer. test/api/openapi.test.ts validates each against the schema the document gives it.
 */
export interface OperationExamples {
  readonly request?: unknown;
  readonly responses: Readonly<Record<string, unknown>>;
}

const ORDER_ID = '01a2b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7b';
const AT = 1_796_515_800_000;

const order = {
  'order-id': ORDER_ID,
  'customer-id': 42,
  'product-id': 'PROD-003',
  quantity: 3,
  'unit-price': 19.99,
  total: 59.97,
  timestamp: AT,
  status: 'pending',
};
const registered = {
  ...order,
  status: 'pending',
  'order-status': 'pending',
  'registered-at': AT + 40,
  'updated-at': AT + 40,
  version: 1,
  'validation-passed': false,
  'failed-rules': [{ 'rule-name': 'customer-velocity', message: 'Customer 42 placed 12 orders in the last minute' }],
};
const timelineEntry = { ...order, 'order-status': 'pending', registered: true };
const customer = {
  'customer-id': 42,
  'total-orders': 12,
  'total-spent': 1532.4,
  'first-order-timestamp': AT - 3_600_000,
  'last-order-id': ORDER_ID,
  'last-order-timestamp': AT,
};
const product = {
  'product-id': 'PROD-003',
  'total-quantity': 310,
  'total-revenue': 6196.9,
  'order-count': 101,
  'avg-quantity': 3.07,
  'last-order-timestamp': AT,
};
const statusRequest = {
  'request-id': '01a2b3c4-d5e6-7f80-9a1b-000000000001',
  'order-id': ORDER_ID,
  state: 'applied',
  reason: null,
  location: `/api/registered/${ORDER_ID}`,
};
const stats = {
  'query-processor': {
    'customer-count': 200,
    'product-count': 6,
    'total-orders': 22133,
    'total-customers-spent': 526005.38,
    'total-revenue-accepted': 41207.97,
  },
  'registry-processor': {
    'registered-count': 22133,
    'accepted-count': 15025,
    'denied-count': 4417,
    'pending-count': 2691,
  },
  timestamp: AT,
};
const processors = {
  processors: [
    {
      name: 'query-processor',
      status: 'healthy',
      instances: 1,
      uptime: 3600,
      'uptime-seconds': 3600,
      processed: 22133,
      errors: 0,
      'throughput-per-second': 10.2,
      'last-processed': AT,
      'consumer-group': {
        group: 'query-processor',
        lag: 120,
        'lag-seconds': 12.5,
        status: 'OK',
        members: 1,
        'window-seconds': 300,
        partitions: [
          {
            topic: 'orders',
            partition: 0,
            'committed-offset': 22013,
            'end-offset': 22133,
            lag: 120,
            'lag-seconds': 12.5,
            status: 'OK',
            'consume-rate': 14.2,
            'produce-rate': 10.1,
            'lag-slope': -4.1,
            trend: 'shrinking',
            'time-to-drain-seconds': 29.3,
          },
        ],
        // Only with ?history=true: the kept samples of the last hour (three shown).
        history: {
          'sample-every-seconds': 5,
          times: [AT - 10_000, AT - 5_000, AT],
          lag: [200, 160, 120],
          'lag-seconds': [20.1, 16, 12.5],
          'end-offset': [22033, 22083, 22133],
        },
      },
    },
  ],
  timestamp: AT,
};
const deadLetterSummary = {
  id: 'orders:0:1234',
  topic: 'orders',
  partition: 0,
  offset: 1234,
  key: 'not-an-order',
  reason: "invalid-order: 'quantity' must be an integer",
  groups: ['query-processor', 'registry-processor'],
  'failed-at': AT,
  status: 'pending',
  'updated-at': AT,
  'payload-preview': '{"order-id":"x","quantity":"three"}',
  'payload-bytes': 35,
};
const deadLetter = {
  ...deadLetterSummary,
  payload: '{"order-id":"x","quantity":"three"}',
  'payload-encoding': 'utf-8',
  headers: { 'dlq.source.topic': 'orders' },
  actions: [],
};
const redriven = {
  ...deadLetter,
  status: 'redriven',
  actions: [
    {
      action: 'redrive',
      at: AT + 60_000,
      actor: 'operator',
      note: 'fixed the quantity',
      'edited-payload': '{"order-id":"x","quantity":3}',
      'redriven-to': { topic: 'orders', partition: 0, offset: 22140 },
    },
  ],
};
const discarded = {
  ...deadLetter,
  status: 'discarded',
  actions: [
    {
      action: 'discard',
      at: AT + 60_000,
      actor: 'operator',
      note: 'test data',
      'edited-payload': null,
      'redriven-to': null,
    },
  ],
};
const ordersAt = { topic: 'orders', partition: 1, offset: 5_120 };
const registryAt = { topic: 'registry', partition: 1, offset: 5_094 };
const journey = {
  'order-id': ORDER_ID,
  order,
  steps: [
    {
      kind: 'produced',
      summary: 'posted through the API (request 01a2b3c4-d5e6-7f80-9a1b-000000000002)',
      at: AT + 2,
      position: ordersAt,
      'since-previous-ms': null,
      via: 'api',
      'request-id': '01a2b3c4-d5e6-7f80-9a1b-000000000002',
    },
    {
      kind: 'applied',
      summary: 'applied to the views: customers, products, timeline, totals',
      at: AT + 21,
      position: ordersAt,
      'since-previous-ms': 19,
      views: ['customers', 'products', 'timeline', 'totals'],
    },
    {
      kind: 'validated',
      summary: 'validated: 7 of 8 rules passed; failed customer-velocity',
      at: AT + 30,
      position: ordersAt,
      'since-previous-ms': 9,
      passed: false,
      'rules-from': 'log',
      rules: [
        { 'rule-name': 'minimum-quantity', passed: true, message: null },
        { 'rule-name': 'customer-velocity', passed: false, message: 'Customer 42 placed 12 orders in the last minute' },
      ],
    },
    {
      kind: 'published',
      summary: 'validation result published on registry',
      at: AT + 31,
      position: registryAt,
      'since-previous-ms': 1,
    },
    {
      kind: 'registered',
      summary: 'registered as pending (version 1)',
      at: AT + 40,
      position: registryAt,
      'since-previous-ms': 9,
      version: 1,
      status: 'pending',
    },
  ],
  state: {
    stage: 'awaiting-decision',
    summary: "registered as pending: waiting for an operator's decision",
    'waiting-on': [],
  },
  searches: [],
};
const ruleLimits = {
  'min-quantity': 1,
  'max-quantity': 1000,
  'min-total': 1,
  'max-total': 100_000,
  'price-tolerance': 0.01,
};
const list = (items: readonly unknown[]) => ({ success: true, data: items, count: items.length });
const one = (data: unknown) => ({ success: true, data });

const rebuildPlan = {
  'from-generation': 0,
  'to-generation': 1,
  resumes: false,
  partitions: [
    { topic: 'orders', partition: 0, 'from-offset': 0, 'to-offset': 16_790, messages: 16_790 },
    { topic: 'orders', partition: 1, 'from-offset': 0, 'to-offset': 16_862, messages: 16_862 },
    { topic: 'orders', partition: 2, 'from-offset': 0, 'to-offset': 16_760, messages: 16_760 },
  ],
  messages: 50_412,
  'snapshot-entries': 0,
  'rate-per-second': 21_500,
  'rate-basis': 'last rebuild',
  'estimated-seconds': 3,
  running: null,
};

export const OPERATION_EXAMPLES: Readonly<Record<string, OperationExamples>> = {
  getHealth: {
    responses: {
      '200': {
        status: 'healthy',
        bus: { type: 'kafka', status: 'connected' },
        store: { type: 'cassandra', status: 'connected' },
        timestamp: AT,
      },
      '503': {
        status: 'degraded',
        reason: 'disk full: the embedded log refuses writes; 0 MiB free in ./data',
        bus: { type: 'embedded', status: 'connected' },
        store: { type: 'sqlite', status: 'connected' },
        disk: {
          path: './data',
          status: 'full',
          reason: 'disk full: the embedded log refuses writes; 0 MiB free in ./data',
          'free-bytes': 40_960,
          'size-bytes': 31_457_280,
          'warn-free-bytes': 1_073_741_824,
        },
        timestamp: AT,
      },
    },
  },
  getStats: { responses: { '200': one(stats) } },
  listTopCustomers: { responses: { '200': list([customer]) } },
  searchCustomers: { responses: { '200': { ...list([customer]), query: '42' } } },
  getCustomer: { responses: { '200': one(customer) } },
  listTopProducts: { responses: { '200': list([product]) } },
  searchProducts: { responses: { '200': { ...list([product]), query: 'prod-0' } } },
  getProduct: { responses: { '200': one(product) } },
  listTimeline: { responses: { '200': list([timelineEntry]) } },
  listOrders: { responses: { '200': list([order]) } },
  searchOrder: { responses: { '200': { success: true, data: registered, source: 'registered' } } },
  listOrdersByStatus: { responses: { '200': list([registered]) } },
  getOrderHistory: {
    responses: {
      '200': list([
        {
          'order-id': ORDER_ID,
          version: 1,
          'previous-status': null,
          'new-status': 'pending',
          'updated-at': AT + 40,
          'update-reason': 'Validation failed: customer-velocity',
          'request-id': null,
          'requested-by': null,
        },
      ]),
    },
  },
  getRegisteredOrder: { responses: { '200': one(registered) } },
  getOrderJourney: { responses: { '200': one(journey) } },
  debugOrder: {
    responses: {
      '200': {
        ...one({
          'order-id': ORDER_ID,
          produced: true,
          timeline: true,
          registered: true,
          'produced-order': order,
          'timeline-entry': order,
          'registered-order': registered,
        }),
        'order-id': ORDER_ID,
        'in-registered': true,
        'in-timeline': true,
        'registered-data': registered,
        'timeline-data': order,
      },
    },
  },
  createOrder: {
    request: { 'customer-id': 42, 'product-id': 'PROD-003', quantity: 3, 'unit-price': 19.99 },
    responses: { '201': one(order) },
  },
  changeOrderStatus: {
    request: { status: 'accepted', reason: 'known customer' },
    responses: {
      '200': one({ ...registered, status: 'accepted', version: 2, 'updated-at': AT + 90_000 }),
      '202': one({
        ...statusRequest,
        state: 'pending',
        location: `/api/status-requests/${statusRequest['request-id']}`,
      }),
    },
  },
  getStatusRequest: { responses: { '200': one(statusRequest) } },
  getReviewQueue: {
    responses: {
      '200': one({
        items: [{ ...registered, 'age-seconds': 2_460.5, overdue: true }],
        'pending-count': 1,
        'overdue-count': 1,
        'sla-minutes': 30,
        expiry: 'off',
        'as-of': AT + 2_460_540,
      }),
    },
  },
  decideReviewOrders: {
    request: { 'order-ids': [ORDER_ID, '01a2b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7c'], status: 'denied', reason: 'fraud' },
    responses: {
      '200': one({
        results: [
          {
            'order-id': ORDER_ID,
            outcome: 'decided',
            code: 200,
            message: null,
            'request-id': statusRequest['request-id'],
            status: 'denied',
          },
          {
            'order-id': '01a2b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7c',
            outcome: 'conflict',
            code: 409,
            message: 'order is accepted, not pending',
            'request-id': null,
            status: 'accepted',
          },
        ],
        decided: 1,
        pending: 0,
        conflict: 1,
        'not-found': 0,
      }),
    },
  },

  getGenerator: { responses: { '200': one({ 'order-rate': 10, 'anomaly-rate': 0.1 }) } },
  changeGenerator: {
    request: { 'order-rate': 50 },
    responses: { '200': one({ 'order-rate': 50, 'anomaly-rate': 0.1 }) },
  },
  getProcessorStatus: { responses: { '200': one(processors) } },
  getAudit: {
    responses: {
      '200': one({
        status: 'done',
        'started-at': AT,
        report: {
          'started-at': AT,
          'finished-at': AT + 2_350,
          cut: [
            { topic: 'orders', partition: 0, 'end-offset': 3_412 },
            { topic: 'registry', partition: 0, 'end-offset': 3_409 },
          ],
          'caught-up': true,
          read: { orders: 3_412, registry: 3_409, undecodable: 3, snapshot: 0 },
          compared: { customers: 100, products: 5, 'registered-orders': 3_409, totals: 2 },
          'skipped-after-cut': 0,
          drifts: [{ view: 'customer', key: '42', field: 'totalSpentCents', expected: 153_240, stored: 153_241 }],
          clean: false,
        },
        error: null,
      }),
    },
  },
  startAudit: {
    responses: {
      '202': one({ status: 'running', 'started-at': AT, report: null, error: null }),
    },
  },
  getRebuildPlan: { responses: { '200': one(rebuildPlan) } },
  getRebuild: {
    responses: {
      '200': one({
        status: 'running',
        'started-at': AT,
        plan: rebuildPlan,
        progress: { phase: 'replaying', done: 28_000, total: 50_412 },
        report: null,
        error: null,
      }),
    },
  },
  startRebuild: {
    responses: {
      '202': one({
        status: 'running',
        'started-at': AT,
        plan: rebuildPlan,
        progress: null,
        report: null,
        error: null,
      }),
    },
  },
  getRules: {
    responses: {
      '200': one({
        limits: ruleLimits,
        defaults: ruleLimits,
        rules: [
          { 'rule-name': 'minimum-quantity', outcome: 'deny', 'passes-when': 'quantity ≥ 1' },
          { 'rule-name': 'maximum-quantity', outcome: 'review', 'passes-when': 'quantity ≤ 1000' },
          { 'rule-name': 'minimum-total', outcome: 'deny', 'passes-when': 'total ≥ 1.00' },
          { 'rule-name': 'maximum-total', outcome: 'review', 'passes-when': 'total ≤ 100000.00' },
          {
            'rule-name': 'price-consistency',
            outcome: 'review',
            'passes-when': '|total − quantity × unit price| ≤ 0.01',
          },
          { 'rule-name': 'valid-status', outcome: 'deny', 'passes-when': 'status is pending, accepted or denied' },
          { 'rule-name': 'valid-customer-id', outcome: 'deny', 'passes-when': 'customer id is an integer > 0' },
          { 'rule-name': 'valid-product-id', outcome: 'deny', 'passes-when': 'product id is not empty' },
        ],
      }),
    },
  },
  getRuleStats: {
    responses: {
      '200': one({
        'computed-at': AT,
        'scan-limit': 100_000,
        scanned: 22_140,
        complete: true,
        orders: 22_133,
        'oldest-validated-at': AT - 7_200_000,
        rules: [
          {
            'rule-name': 'price-consistency',
            outcome: 'review',
            'last-hour': { denied: 3, review: 402 },
            'last-day': { denied: 5, review: 668 },
            all: { denied: 9, review: 1_204 },
            'top-customers': [
              { 'customer-id': 42, count: 14 },
              { 'customer-id': 7, count: 12 },
            ],
            'top-products': [
              { 'product-id': 'PROD-003', count: 141 },
              { 'product-id': 'PROD-001', count: 138 },
            ],
          },
        ],
      }),
    },
  },
  simulateRules: {
    request: { 'max-quantity': 80, 'price-tolerance': 0.02, orders: 10_000 },
    responses: {
      '200': one({
        current: ruleLimits,
        proposed: { ...ruleLimits, 'max-quantity': 80, 'price-tolerance': 0.02 },
        requested: 10_000,
        read: 10_000,
        undecodable: 0,
        compared: 10_000,
        changed: 21,
        'elapsed-ms': 412.6,
        transitions: [
          { from: 'accepted', to: 'pending', count: 12 },
          { from: 'pending', to: 'accepted', count: 9 },
        ],
        rules: [
          {
            'rule-name': 'maximum-quantity',
            outcome: 'review',
            'failing-now': 118,
            'failing-proposed': 130,
            'newly-failing': 12,
            'no-longer-failing': 0,
          },
        ],
        examples: [
          {
            order: { ...order, quantity: 90, total: 1799.1, status: 'pending' },
            from: 'accepted',
            to: 'pending',
            rules: [
              {
                'rule-name': 'maximum-quantity',
                'passed-now': true,
                message: 'Quantity exceeds maximum of 80, got: 90',
              },
            ],
          },
        ],
      }),
    },
  },
  getStoreStatus: {
    responses: {
      '200': one({
        kind: 'sqlite',
        status: 'connected',
        'latency-ms': 0.12,
        'size-bytes': 1_835_008,
        'size-note': 'database file and write-ahead log',
        error: null,
        'checked-at': AT,
      }),
    },
  },
  streamEvents: {
    responses: { '200': { event: 'order', id: '22134', data: JSON.stringify(timelineEntry) } },
  },
  listDeadLetters: { responses: { '200': list([deadLetterSummary]) } },
  listDeadLetterReasons: {
    responses: {
      '200': one({
        status: 'pending',
        total: 3,
        reasons: [{ reason: "invalid-order: 'quantity' must be an integer", count: 3 }],
      }),
    },
  },
  getDeadLetter: { responses: { '200': one(deadLetter) } },
  redriveDeadLetter: {
    request: { payload: '{"order-id":"x","quantity":3}', note: 'fixed the quantity' },
    responses: { '200': one(redriven) },
  },
  discardDeadLetter: { request: { note: 'test data' }, responses: { '200': one(discarded) } },
};
