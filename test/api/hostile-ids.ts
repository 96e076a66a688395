/** Ids a careless or hostile client may send: each must be handled as plain data by every route. */
export const HOSTILE_IDS: readonly string[] = [
  "'",
  '"',
  "' OR 1=1 --",
  "'; DROP TABLE x; --",
  '"; DROP TABLE orders; --',
  "x' ALLOW FILTERING; --",
  '%27',
  '%',
  '_',
  '\u0000',
  'ünïcødé-✓',
  '😀'.repeat(20),
  'a'.repeat(257),
  'a'.repeat(10_000),
  '../../etc/passwd',
  '00000000-0000-4000-8000-000000000000',
];

interface Operation {
  readonly method: string;
  readonly path: string;
}

/** Every documented operation with a path parameter, read from the served OpenAPI document. */
export async function operationsWithIdParams(base: string): Promise<Operation[]> {
  const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.includes('{')) continue;
    for (const method of Object.keys(item)) operations.push({ method: method.toUpperCase(), path });
  }
  return operations;
}

/** A body each mutating route would accept, so only the id decides the outcome. */
const BODIES: Readonly<Record<string, unknown>> = {
  '/api/orders/{id}/status': { status: 'accepted' },
  '/api/dead-letters/{id}/redrive': {},
  '/api/dead-letters/{id}/discard': {},
};

/** Routes that answer 200 for any id, telling where (if anywhere) that id is found. */
const ECHOING = new Set(['/api/debug/order/{id}']);

/**
 * Sends every hostile id to every route with an id parameter and returns what went wrong: anything
 * but a 400/404 JSON error envelope (a 5xx, a 2xx, a page, a body without `success: false`), or, for a
 * route that reports where an id is, anything but that id echoed intact as found nowhere.
 */
export async function hostileIdFailures(
  base: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ failures: string[]; requests: number }> {
  const failures: string[] = [];
  let requests = 0;
  for (const operation of await operationsWithIdParams(base)) {
    for (const id of HOSTILE_IDS) {
      const url = `${base}${operation.path.replace(/\{[^}]+\}/g, encodeURIComponent(id))}`;
      const init: RequestInit = { method: operation.method, headers: { ...headers } };
      if (operation.method !== 'GET') {
        init.headers = { ...headers, 'content-type': 'application/json' };
        init.body = JSON.stringify(BODIES[operation.path] ?? {});
      }
      const response = await fetch(url, init);
      requests++;
      const text = await response.text();
      const where = `${operation.method} ${operation.path} with ${JSON.stringify(id.slice(0, 30))}${id.length > 30 ? `…(${id.length})` : ''} -> ${response.status}`;
      const expected = ECHOING.has(operation.path) && id.length <= 256 ? [200] : [400, 404];
      if (!expected.includes(response.status)) {
        failures.push(`${where}: ${text.slice(0, 200)}`);
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        failures.push(`${where}: not JSON: ${text.slice(0, 200)}`);
        continue;
      }
      if (response.status === 200) {
        // This route reports where an id is found; for a hostile id: nowhere, with the id echoed intact.
        const data = (body as { data?: Record<string, unknown> }).data;
        if (data?.['order-id'] !== id || data['produced'] !== false) {
          failures.push(`${where}: expected the id echoed as not found: ${text.slice(0, 200)}`);
        }
        continue;
      }
      const envelope = body as { success?: unknown; error?: unknown };
      if (envelope.success !== false || typeof envelope.error !== 'string' || envelope.error === '') {
        failures.push(`${where}: not the error envelope: ${text.slice(0, 200)}`);
      }
    }
  }
  return { failures, requests };
}
