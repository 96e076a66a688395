import type { onRequestHookHandler } from 'fastify';
import { errorBody, type MonitorApp } from './app-types.js';

interface KnownPath {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A route path (`/api/orders/:id/status`) as a regular expression over request paths. */
function pathPattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment.startsWith(':')) return '[^/]+';
    if (segment === '*') return '.*';
    return escape(segment);
  });
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * Answers a request whose path exists with another method with 405 and `Allow` (RFC 9110), instead
 * of the router's 404, and any other unrouted request with 404. It acts before the body is read, so a
 * method the router does not route at all (TRACE, QUERY, …) is refused the same way. Call it before
 * the routes are registered (it records them); add the returned hook as an `onRequest` hook.
 */
export function trackRoutesForMethodNotAllowed(app: MonitorApp): onRequestHookHandler {
  const known = new Map<string, KnownPath>();
  app.addHook('onRoute', (route) => {
    const entry = known.get(route.url) ?? { pattern: pathPattern(route.url), methods: new Set<string>() };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      entry.methods.add(method);
      // GET routes answer HEAD too (Fastify's exposeHeadRoutes).
      if (method === 'GET') entry.methods.add('HEAD');
    }
    known.set(route.url, entry);
  });
  return (request, reply, done) => {
    if (!request.is404) {
      done();
      return;
    }
    const path = request.url.split('?')[0] ?? '';
    const allowed = new Set<string>();
    for (const entry of known.values()) {
      if (entry.pattern.test(path)) for (const method of entry.methods) allowed.add(method);
    }
    if (allowed.size === 0) {
      // Answered here as well, so a body that comes with an unknown path is never read.
      void reply.code(404).send(errorBody(`no route ${request.method} ${path}`));
      return;
    }
    const allow = [...allowed].sort().join(', ');
    void reply
      .code(405)
      .header('allow', allow)
      .send(errorBody(`method ${request.method} is not allowed on ${path}; allowed: ${allow}`));
  };
}
