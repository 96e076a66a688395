import type { MonitorApp } from '../app-types.js';

/** The process's readiness as `/health/ready` answers it (the runtime's readiness has this shape). */
export type ReadinessState = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export interface HealthRouteDeps {
  /** The process's readiness; a monitor built without one is ready once it answers. */
  readonly readiness?: () => ReadinessState;
}

/**
 * The process's probes on the API port, with the same answers as the health server of a process
 * without the monitor: `/health/live` never touches the bus or the store (unlike `/api/health`, which
 * checks both), `/health/ready` is the process's readiness. Neither is rate-limited nor needs the token.
 */
export function registerHealthRoutes(app: MonitorApp, deps: HealthRouteDeps): void {
  app.get('/health/live', { schema: { hide: true } }, (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'up' }),
  );
  app.get('/health/ready', { schema: { hide: true } }, (_request, reply) => {
    const state = deps.readiness?.() ?? { ready: true };
    void reply.header('cache-control', 'no-store');
    return state.ready
      ? reply.code(200).send({ status: 'ready' })
      : reply.code(503).send({ status: 'down', reason: state.reason });
  });
}
