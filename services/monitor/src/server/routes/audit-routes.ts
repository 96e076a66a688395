import { AuditStateBody } from '../../contract-audit.js';
import { errorBody, errorResponses, type MonitorApp } from '../app-types.js';
import type { Auditor } from '../auditor.js';
import type { MutatingRoute } from './command-routes.js';

export interface AuditRouteDeps {
  readonly auditor: Auditor;
  readonly mutating: MutatingRoute;
}

/** The consistency audit: its latest result, and a way to start one (one at a time). */
export function registerAuditRoutes(app: MonitorApp, deps: AuditRouteDeps): void {
  app.get(
    '/api/audit',
    {
      schema: {
        operationId: 'getAudit',
        tags: ['system'],
        summary: 'The latest consistency audit: views and registry recomputed from the logs, compared with the store',
        response: { 200: AuditStateBody },
      },
    },
    () => ({ success: true as const, data: deps.auditor.state() }),
  );

  app.post(
    '/api/audit',
    {
      ...deps.mutating.guard,
      schema: {
        operationId: 'startAudit',
        tags: ['system'],
        summary: 'Start a consistency audit in the background; GET /api/audit reads its result. 409 while one runs',
        ...deps.mutating.schema,
        response: { 202: AuditStateBody, ...errorResponses(409), ...deps.mutating.errors },
      },
    },
    async (_request, reply) => {
      if (!deps.auditor.start()) return reply.code(409).send(errorBody('an audit is already running'));
      return reply.code(202).send({ success: true as const, data: deps.auditor.state() });
    },
  );
}
