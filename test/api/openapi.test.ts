import { request as httpRequest } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, type Harness } from './harness.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Json = Record<string, any>;

/** A JSON pointer segment (RFC 6901). */
const pointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function operations(document: Json): { path: string; method: string; operation: Json }[] {
  return Object.entries(document['paths'] as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Json)[m] !== undefined).map((method) => ({
      path,
      method,
      operation: (item as Json)[method] as Json,
    })),
  );
}

/** Sends any method, TRACE and QUERY included (fetch refuses TRACE). */
function send(base: string, method: string, path: string): Promise<{ status: number; allow?: string; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers.allow === undefined ? {} : { allow: res.headers.allow }),
          body: text === '' ? {} : (JSON.parse(text) as Json),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the OpenAPI document (token set)', () => {
  let h: Harness;
  let document: Json;

  beforeAll(async () => {
    h = await startHarness({ apiToken: 'docs-token' });
    document = (await call(h.base, '/api/openapi.json')).body as Json;
  });
  afterAll(() => h.close());

  it('declares OpenAPI 3.1 and every schema in it is valid JSON Schema 2020-12', () => {
    expect(document['openapi']).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false, validateSchema: true });
    const schemas: unknown[] = [];
    const collect = (node: unknown, key?: string): void => {
      if (typeof node !== 'object' || node === null) return;
      if (key === 'schema' || key === 'contentSchema') schemas.push(node);
      for (const [k, v] of Object.entries(node)) collect(v, k);
    };
    collect(document);
    expect(schemas.length).toBeGreaterThan(50);
    for (const schema of [...schemas, ...Object.values(document['components'].schemas as Json)]) {
      expect(ajv.validateSchema(schema as object), JSON.stringify(ajv.errors)).toBe(true);
    }
  });

  it('gives every operation a unique operationId, a summary and an example that its schema accepts', () => {
    const ajv = new Ajv2020({ strict: false, validateSchema: false });
    ajv.addSchema(document, 'doc');
    const all = operations(document);
    expect(all.length).toBe(39);
    expect(new Set(all.map((o) => o.operation['operationId'])).size).toBe(all.length);
    for (const { path, method, operation } of all) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation['summary'], where).toEqual(expect.any(String));
      const examples: { at: string; example: unknown }[] = [];
      const base = `doc#/paths/${pointer(path)}/${method}`;
      for (const [type, media] of Object.entries((operation['requestBody']?.content ?? {}) as Json)) {
        if (media.example !== undefined)
          examples.push({ at: `${base}/requestBody/content/${pointer(type)}/schema`, example: media.example });
      }
      for (const [status, response] of Object.entries(operation['responses'] as Json)) {
        for (const [type, media] of Object.entries((response.content ?? {}) as Json)) {
          if (media.example !== undefined) {
            examples.push({
              at: `${base}/responses/${status}/content/${pointer(type)}/schema`,
              example: media.example,
            });
          }
        }
      }
      expect(examples.length, `${where} has an example`).toBeGreaterThan(0);
      for (const { at, example } of examples) {
        const validate = ajv.getSchema(at);
        expect(validate, at).toBeDefined();
        expect(validate?.(example), `${at}: ${JSON.stringify(validate?.errors)}`).toBe(true);
      }
    }
  });

  it('asks for the bearer token exactly on the operations that check it, and lists 401 only there', () => {
    const secured = operations(document)
      .filter((o) => o.operation['security'] !== undefined)
      .map((o) => `${o.method.toUpperCase()} ${o.path}`)
      .sort();
    expect(secured).toEqual([
      'POST /api/audit',
      'POST /api/dead-letters/{id}/discard',
      'POST /api/dead-letters/{id}/redrive',
      'POST /api/orders',
      'POST /api/rebuild',
      'POST /api/review/decisions',
      'POST /api/rules/simulate',
      'PUT /api/generator',
      'PUT /api/orders/{id}/status',
    ]);
    for (const { operation } of operations(document)) {
      expect(operation['responses']['401'] !== undefined).toBe(operation['security'] !== undefined);
    }
  });

  it('shares the error body and the common parameters, and links a new order to its routes', () => {
    expect(document['components'].responses.NotFound).toEqual({
      description: expect.any(String),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    });
    // A 503 says when to ask again (the server sends it with every 503 of a dependency).
    expect(document['components'].responses.Unavailable.headers['Retry-After']).toMatchObject({
      required: true,
      schema: { type: 'integer', minimum: 1 },
    });
    expect(Object.keys(document['components'].parameters as Json)).toEqual(
      expect.arrayContaining(['OrderId', 'Limit100', 'DeadLetterStatus']),
    );
    const created = document['paths']['/api/orders'].post.responses['201'];
    expect(Object.values(created.links as Json).map((l) => (l as Json)['operationId'])).toEqual(
      expect.arrayContaining(['searchOrder', 'getRegisteredOrder', 'getOrderHistory', 'changeOrderStatus']),
    );
    expect(created.headers.location.required).toBe(true);
    const stream = document['paths']['/api/stream'].get.responses['200'];
    const events = stream.content['text/event-stream'].schema.oneOf.map((e: Json) => e['properties'].event.const);
    expect(events).toEqual(['order', 'status', 'stats', 'processors', 'reset', 'rebuild']);
  });

  it('answers a method a path does not have with 405 and Allow, before reading any body', async () => {
    expect(await send(h.base, 'TRACE', '/api/timeline')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
    expect(await send(h.base, 'DELETE', '/api/orders')).toMatchObject({ status: 405, allow: 'GET, HEAD, POST' });
    const query = await send(h.base, 'QUERY', '/api/orders/abc/status');
    expect(query).toMatchObject({ status: 405, allow: 'PUT' });
    expect(query.body).toMatchObject({ success: false, error: expect.stringContaining('PUT') });
    expect((await send(h.base, 'TRACE', '/api/nothing')).status).toBe(404);
  });

  it('refuses integers that are not written as integers, and an empty limit', async () => {
    for (const limit of ['0.0', '1.', '', 'Infinity']) {
      expect((await call(h.base, `/api/timeline?limit=${limit}`)).status, `limit=${limit}`).toBe(400);
    }
    expect((await call(h.base, '/api/customers/2147483648')).status).toBe(400);
    expect((await call(h.base, '/api/timeline?limit=0')).status).toBe(200);
  });
});

describe('the OpenAPI document (no token)', () => {
  it('asks for no token and lists no 401 when none is configured', async () => {
    const h = await startHarness();
    try {
      const document = (await call(h.base, '/api/openapi.json')).body as Json;
      for (const { operation } of operations(document)) {
        expect(operation['security']).toBeUndefined();
        expect(operation['responses']['401']).toBeUndefined();
      }
    } finally {
      await h.close();
    }
  });
});
