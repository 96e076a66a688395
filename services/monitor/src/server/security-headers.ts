import type { ServerResponse } from 'node:http';

/**
 * The response headers every answer carries: no MIME sniffing, no referrer, no cross-origin embedding
 * of our responses, HSTS behind TLS-terminating proxies. They never vary by request, so they are a
 * constant set on the raw response once per request: a server-sent-events stream, which writes its own
 * head, keeps them too.
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

const isDataPath = (url: string): boolean => url.startsWith('/api/') || url.startsWith('/metrics');

export function setSecurityHeaders(url: string, response: ServerResponse): void {
  for (const [name, value] of COMMON) response.setHeader(name, value);
  for (const [name, value] of isDataPath(url) ? API_ONLY : PAGE_ONLY) response.setHeader(name, value);
}
