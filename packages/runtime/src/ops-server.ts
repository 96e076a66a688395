import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadinessState } from './readiness.js';

export interface OpsServerOptions {
  readonly host: string;
  /** 0 picks any free port (see `OpsServer.port`). */
  readonly port: number;
  readonly readiness: () => ReadinessState;
  readonly metrics: () => Promise<string>;
  readonly metricsContentType: string;
}

export interface OpsServer {
  /** The port actually bound. */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** The port is taken (or not allowed): the process cannot keep its observability contract. */
export class OpsServerBindError extends Error {
  readonly code = 'OPS_SERVER_BIND';
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

async function answer(request: IncomingMessage, response: ServerResponse, options: OpsServerOptions): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, JSON_TYPE, JSON.stringify({ status: 'error', reason: 'only GET and HEAD' }));
    return;
  }
  if (path === '/health/live') {
    send(response, 200, JSON_TYPE, JSON.stringify({ status: 'up' }));
  } else if (path === '/health/ready') {
    const state = options.readiness();
    if (state.ready) send(response, 200, JSON_TYPE, JSON.stringify({ status: 'ready' }));
    else send(response, 503, JSON_TYPE, JSON.stringify({ status: 'down', reason: state.reason }));
  } else if (path === '/metrics') {
    send(response, 200, options.metricsContentType, await options.metrics());
  } else {
    send(
      response,
      404,
      JSON_TYPE,
      JSON.stringify({ status: 'error', reason: 'try /health/live, /health/ready or /metrics' }),
    );
  }
}

/**
 * The process's own `/health/live`, `/health/ready` and `/metrics`, on plain node:http: three fixed
 * routes need no framework, and it listens before the bus and the store are reached, so liveness and
 * the reason of not being ready are visible during an outage.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    answer(request, response, options).catch(() => {
      if (!response.headersSent)
        send(response, 500, JSON_TYPE, JSON.stringify({ status: 'error', reason: 'metrics unavailable' }));
      else response.destroy();
    });
  });
  // A probe or a scrape is one short request: slow or idle clients are not kept.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE' ? 'address in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new OpsServerBindError(`cannot listen on ${options.host}:${options.port} (METRICS_PORT): ${why}`));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
