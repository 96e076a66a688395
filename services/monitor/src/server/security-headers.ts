/**
 * The response headers every answer carries: no MIME sniffing, no referrer, no cross-origin embedding
 * of our responses, HSTS behind TLS-terminating proxies. They never vary by request, so each kind of
 * answer gets one constant set.
 */
const COMMON: readonly (readonly [string, string])[] = [
  ['cross-origin-resource-policy', 'same-origin'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
];

/**
 * API answers are data, never pages: nothing may frame them or run from them. The headers that only
 * act on documents a browser renders (opener isolation, agent clusters, DNS prefetching, legacy
 * download, plug-in and XSS-filter switches) would be bytes every answer carries for nothing.
 */
const API_ONLY: readonly (readonly [string, string])[] = [
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['x-frame-options', 'DENY'],
];

/** Pages (dashboard, API docs) set their own Content-Security-Policy; frames only from this origin. */
const PAGE_ONLY: readonly (readonly [string, string])[] = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];

const API_HEADERS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries([...COMMON, ...API_ONLY]));
const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries([...COMMON, ...PAGE_ONLY]));

const isDataPath = (url: string): boolean => url.startsWith('/api/') || url.startsWith('/metrics');

/**
 * The set for a request's path, to be given to Fastify's reply rather than set on the raw response:
 * Node writes a head from the reply's header object as it is only while nothing was set on the raw
 * response before; one raw `setHeader` makes it copy every header of every answer into its own table.
 * A route that writes its own head (the event stream) copies them from the reply.
 */
export function securityHeaders(url: string): Readonly<Record<string, string>> {
  return isDataPath(url) ? API_HEADERS : PAGE_HEADERS;
}
