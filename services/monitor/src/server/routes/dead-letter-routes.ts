import type {
  DeadLetter,
  DeadLetterStatus,
  EventBus,
  MessagePosition,
  MessageTracing,
  Store,
} from '@kafka-monitor/domain';
import { publishTraced } from '@kafka-monitor/pipeline';
import {
  DeadLetterDto,
  DeadLetterListQuery,
  DeadLetterReasonsData,
  DeadLetterReasonsQuery,
  DeadLetterSummaryDto,
  DiscardBody,
  IdParam,
  RedriveBody,
  envelope,
  listEnvelope,
} from '../../contract.js';
import { HttpError, errorResponses, type MonitorApp } from '../app-types.js';
import { clampLimit, deadLetterDto, deadLetterSummaryDto } from '../dto.js';
import { traceHeadersOf } from '../trace-headers.js';
import type { CommandRouteDeps } from './command-routes.js';

export interface DeadLetterRouteDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  readonly mutating: CommandRouteDeps['mutating'];
  readonly tracing: MessageTracing;
}

/** Marks a redriven message, so its processing (or a second dead letter) can be traced back. */
export const REDRIVEN_FROM_HEADER = 'dlq.redriven.from';
const DEFAULT_ACTOR = 'operator';

/**
 * The largest body a schema-valid redrive can have: 60,000 characters of payload written as JSON
 * escapes (`\\uXXXX` twice for a character outside the BMP: 12 bytes) with the note and actor; the
 * default limit of 64 KiB would refuse valid bodies with a 413.
 */
const REDRIVE_BODY_LIMIT = 1024 * 1024;

/** A request without a body acts with the defaults, as `{}` would; a JSON `null` is still refused. */
const emptyBodyIsDefaults = (request: { body: unknown }, _reply: unknown, done: () => void) => {
  if (request.body === undefined) request.body = {};
  done();
};

export function registerDeadLetterRoutes(app: MonitorApp, deps: DeadLetterRouteDeps): void {
  const { store } = deps;
  const letters = store.deadLetters;

  async function detail(id: string) {
    const letter = await letters.deadLetter(id);
    if (letter === undefined) throw new HttpError(404, `no dead letter ${id}`);
    return deadLetterDto(letter, await letters.actions(id));
  }

  /** Claims a pending dead letter for an action; 404 unknown, 409 when another action already resolved it. */
  async function claim(id: string, to: DeadLetterStatus): Promise<DeadLetter> {
    const letter = await letters.deadLetter(id);
    if (letter === undefined) throw new HttpError(404, `no dead letter ${id}`);
    if (letter.status !== 'pending' || !(await letters.transition(id, 'pending', to, deps.now()))) {
      const current = (await letters.deadLetter(id))?.status ?? letter.status;
      throw new HttpError(409, `dead letter ${id} is ${current}, not pending`);
    }
    return letter;
  }

  app.get(
    '/api/dead-letters',
    {
      links: {
        200: {
          GetDeadLetter: { operationId: 'getDeadLetter', parameters: { id: '$response.body#/data/0/id' } },
          RedriveDeadLetter: { operationId: 'redriveDeadLetter', parameters: { id: '$response.body#/data/0/id' } },
          DiscardDeadLetter: { operationId: 'discardDeadLetter', parameters: { id: '$response.body#/data/0/id' } },
        },
      },
      schema: {
        operationId: 'listDeadLetters',
        tags: ['dead letters'],
        summary: 'Dead letters of one status (default pending) and optionally one reason, newest failure first',
        querystring: DeadLetterListQuery,
        response: { 200: listEnvelope(DeadLetterSummaryDto), ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const status = request.query.status ?? 'pending';
      const list = await letters.list(status, request.query.reason, clampLimit(request.query.limit, 100));
      const data = list.map(deadLetterSummaryDto);
      return { success: true as const, data, count: data.length };
    },
  );

  app.get(
    '/api/dead-letters/reasons',
    {
      schema: {
        operationId: 'listDeadLetterReasons',
        tags: ['dead letters'],
        summary: 'Dead letters of one status (default pending) grouped by reason, with counts',
        querystring: DeadLetterReasonsQuery,
        response: { 200: envelope(DeadLetterReasonsData), ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const status = request.query.status ?? 'pending';
      const reasons = (await letters.reasons(status)).map((r) => ({ reason: r.reason, count: r.count }));
      return {
        success: true as const,
        data: { status, total: reasons.reduce((sum, r) => sum + r.count, 0), reasons },
      };
    },
  );

  app.get(
    '/api/dead-letters/:id',
    {
      schema: {
        operationId: 'getDeadLetter',
        tags: ['dead letters'],
        summary: 'One dead letter: payload, headers, reason, groups and its audit trail',
        params: IdParam,
        response: { 200: envelope(DeadLetterDto), ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => ({ success: true as const, data: await detail(request.params.id) }),
  );

  app.post(
    '/api/dead-letters/:id/redrive',
    {
      preValidation: emptyBodyIsDefaults,
      bodyLimit: REDRIVE_BODY_LIMIT,
      ...deps.mutating.guard,
      schema: {
        operationId: 'redriveDeadLetter',
        tags: ['dead letters'],
        summary: 'Publish the message (or the edited payload) to its original topic again; audited. 409 unless pending',
        ...deps.mutating.schema,
        'x-body-optional': true,
        params: IdParam,
        body: RedriveBody,
        response: {
          200: envelope(DeadLetterDto),
          ...errorResponses(400, 404, 409, 413, 415, 503),
          ...deps.mutating.errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { payload, actor = DEFAULT_ACTOR, note } = request.body;
      const letter = await claim(id, 'redriven');
      const value = payload === undefined ? letter.value : new TextEncoder().encode(payload);
      // A new send in the operator's trace (the request's, or a new one) that links back to the trace
      // the message was dead-lettered in, whose context its kept headers carry.
      const trace = { parent: traceHeadersOf(request.headers), links: [letter.headers] };
      let position: MessagePosition | undefined;
      try {
        [position] = await publishTraced(
          deps.bus,
          deps.tracing,
          letter.topic,
          [{ key: letter.key, value, headers: { ...letter.headers, [REDRIVEN_FROM_HEADER]: id } }],
          [trace],
        );
      } catch (error) {
        // Not sent: the dead letter waits again, and the trail says why the attempt failed.
        await letters.transition(id, 'redriven', 'pending', deps.now());
        await letters.audit({
          deadLetterId: id,
          action: 'redrive-failed',
          at: deps.now(),
          actor,
          note: (error as Error).message.slice(0, 500),
          editedPayload: payload ?? null,
          redrivenTo: null,
        });
        throw error;
      }
      await letters.audit({
        deadLetterId: id,
        action: 'redrive',
        at: deps.now(),
        actor,
        note: note ?? null,
        editedPayload: payload ?? null,
        redrivenTo: position ?? null,
      });
      return { success: true as const, data: await detail(id) };
    },
  );

  app.post(
    '/api/dead-letters/:id/discard',
    {
      preValidation: emptyBodyIsDefaults,
      ...deps.mutating.guard,
      schema: {
        operationId: 'discardDeadLetter',
        tags: ['dead letters'],
        summary: 'Mark a dead letter discarded; audited. 409 unless pending',
        ...deps.mutating.schema,
        'x-body-optional': true,
        params: IdParam,
        body: DiscardBody,
        response: {
          200: envelope(DeadLetterDto),
          ...errorResponses(400, 404, 409, 413, 415, 503),
          ...deps.mutating.errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { actor = DEFAULT_ACTOR, note } = request.body;
      await claim(id, 'discarded');
      await letters.audit({
        deadLetterId: id,
        action: 'discard',
        at: deps.now(),
        actor,
        note: note ?? null,
        editedPayload: null,
        redrivenTo: null,
      });
      return { success: true as const, data: await detail(id) };
    },
  );
}
