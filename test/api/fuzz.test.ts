import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders, pendingOrder, startHarness, type Harness } from './harness.js';

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly { name: string; in: string }[];
  readonly hasBody: boolean;
  readonly responses: Readonly<Record<string, ValidateFunction | null>>;
}

const RUNS_PER_OPERATION = 60;

/** Hostile and ordinary strings alike: quotes, SQL/CQL metacharacters, unicode, control characters, long. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    "'",
    '"',
    "' OR 1=1 --",
    '; DROP TABLE orders;',
    '%',
    '_',
    '../../etc/passwd',
    '\u0000',
    'null',
    'undefined',
    '-1',
    '0',
    '1e309',
    'NaN',
    'accepted',
    'pending',
    'PROD-001',
    '00000000-0000-4000-8000-000000000000',
    '😀'.repeat(50),
  ),
  fc.uuid(),
  fc.integer().map(String),
  fc.string({ minLength: 200, maxLength: 400 }),
);

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({
    'customer-id': fc.oneof(fc.integer(), nastyString, fc.double()),
    'product-id': fc.oneof(nastyString, fc.integer()),
    quantity: fc.oneof(fc.integer(), fc.double(), nastyString),
    'unit-price': fc.oneof(fc.double(), fc.integer(), nastyString),
    status: fc.oneof(nastyString, fc.constantFrom('accepted', 'denied')),
    reason: nastyString,
    'order-rate': fc.oneof(fc.double(), fc.integer()),
    'anomaly-rate': fc.double(),
  }),
);

function operationsOf(doc: any, ajv: Ajv): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const responses: Record<string, ValidateFunction | null> = {};
      for (const [code, answer] of Object.entries<any>(operation.responses ?? {})) {
        // Shared responses and schemas are references into the components.
        const component = (ref: string | undefined, kind: string) =>
          ref === undefined ? undefined : doc.components[kind][ref.split('/').at(-1) ?? ''];
        const response = component(answer.$ref, 'responses') ?? answer;
        const inline = response.content?.['application/json']?.schema;
        const schema = component(inline?.$ref, 'schemas') ?? inline;
        responses[code] = schema === undefined ? null : ajv.compile(schema);
      }
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        hasBody: operation.requestBody !== undefined,
        responses,
      });
    }
  }
  return operations;
}

describe('API fuzz against the OpenAPI document', () => {
  let h: Harness;
  let operations: Operation[];

  beforeAll(async () => {
    h = await startHarness({ statusWaitMs: 200, mutationsPerMinute: 100_000 });
    await h.seed([...orders(5, 5), pendingOrder()]);
    // A dead letter, so the dead-letter lists answer with bodies to check against their schema.
    await h.poison('{"not": "an order"', 'fuzz');
    const doc = await (await fetch(`${h.base}/api/openapi.json`)).json();
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addKeyword('example');
    operations = operationsOf(doc, ajv);
  });
  afterAll(() => h.close());

  it('documents the routes it serves', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  it('answers random and malformed requests to every documented route with no 5xx and a documented body', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let requests = 0;
    let validated = 0;
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(nastyString, { minLength: 3, maxLength: 3 }),
          fc.dictionary(fc.constantFrom('limit', 'q', 'status', 'x', 'limit[]'), nastyString, { maxKeys: 3 }),
          fc.oneof(
            jsonValue.map((v) => JSON.stringify(v)),
            nastyString,
            fc.constant('{"status":'),
          ),
          fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          fc.option(
            nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
            { nil: undefined },
          ),
          async (pathValues, query, body, contentType, lastEventId) => {
            let index = 0;
            const path = operation.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(pathValues[index++] ?? ''));
            const search = new URLSearchParams(query).toString();
            const headers: Record<string, string> = {};
            if (lastEventId !== undefined && operation.path === '/api/stream') headers['last-event-id'] = lastEventId;
            const init: RequestInit = { method: operation.method, headers };
            if (operation.hasBody) {
              headers['content-type'] = contentType;
              init.body = body;
            }
            const controller = new AbortController();
            init.signal = controller.signal;
            const response = await fetch(`${h.base}${path}${search === '' ? '' : `?${search}`}`, init);
            requests++;
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const where = `${operation.method} ${path}?${search} -> ${response.status}`;
            if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
              controller.abort();
              return;
            }
            const text = await response.text();
            if (response.status >= 500) failures.push(`${where}: ${text}`);
            const code = String(response.status);
            if (!(code in operation.responses)) {
              failures.push(`${where}: status not documented`);
              return;
            }
            const validate = operation.responses[code];
            if (validate === null || validate === undefined) return;
            validated++;
            if (!validate(JSON.parse(text))) {
              failures.push(
                `${where}: body does not match its schema: ${JSON.stringify(validate.errors)} ${text.slice(0, 200)}`,
              );
            }
          },
        ),
        { numRuns: RUNS_PER_OPERATION, seed: 20261126 },
      );
    }
    const seen = [...statuses].sort(([a], [b]) => a - b).map(([code, n]) => `${code}×${n}`);
    console.log(
      `fuzz: ${requests} requests over ${operations.length} operations, ${validated} bodies checked against ` +
        `their schema, statuses ${seen.join(' ')}, ${failures.length} failures`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    // The run must have exercised both success and error paths to mean anything.
    expect(validated).toBeGreaterThan(requests * 0.9);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 404]));
  }, 180_000);
});
