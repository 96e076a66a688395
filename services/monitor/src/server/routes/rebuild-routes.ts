import { isDependencyError } from '@kafka-monitor/domain';
import { RebuildPlanBody, RebuildStateBody } from '../../contract-rebuild.js';
import { errorBody, errorResponses, type MonitorApp } from '../app-types.js';
import type { Rebuilder } from '../rebuilder.js';
import type { MutatingRoute } from './command-routes.js';

export interface RebuildRouteDeps {
  readonly rebuilder: Rebuilder;
  readonly mutating: MutatingRoute;
}

/** The rebuild of the views: what it would do, the latest one, and a way to start one (one at a time). */
export function registerRebuildRoutes(app: MonitorApp, deps: RebuildRouteDeps): void {
  app.get(
    '/api/rebuild/plan',
    {
      schema: {
        operationId: 'getRebuildPlan',
        tags: ['system'],
        summary:
          'What a rebuild of the views would replay now: per partition from and to offset, messages, time estimate',
        response: { 200: RebuildPlanBody, ...errorResponses(503) },
      },
    },
    async (_request, reply) => {
      try {
        return { success: true as const, data: await deps.rebuilder.plan() };
      } catch (error) {
        if (isDependencyError(error)) throw error;
        return reply.code(503).send(errorBody(`no plan: ${(error as Error).message}`));
      }
    },
  );

  app.get(
    '/api/rebuild',
    {
      schema: {
        operationId: 'getRebuild',
        tags: ['system'],
        summary: 'The latest or running rebuild of the views started by this monitor: plan, progress, report',
        response: { 200: RebuildStateBody },
      },
    },
    () => ({ success: true as const, data: deps.rebuilder.state() }),
  );

  app.post(
    '/api/rebuild',
    {
      ...deps.mutating.guard,
      schema: {
        operationId: 'startRebuild',
        tags: ['system'],
        summary:
          'Rebuild the views from the orders log into new tables, then switch; GET /api/rebuild follows it. 409 while one runs',
        ...deps.mutating.schema,
        response: { 202: RebuildStateBody, ...errorResponses(409, 503), ...deps.mutating.errors },
      },
    },
    async (_request, reply) => {
      let outcome;
      try {
        outcome = await deps.rebuilder.start();
      } catch (error) {
        if (isDependencyError(error)) throw error;
        return reply.code(503).send(errorBody(`not started: ${(error as Error).message}`));
      }
      if (!outcome.started) return reply.code(409).send(errorBody(outcome.reason));
      return reply.code(202).send({ success: true as const, data: deps.rebuilder.state() });
    },
  );
}
