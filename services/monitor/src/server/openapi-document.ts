import { RebuildStateDto } from '../contract-rebuild.js';
import type { TSchema } from 'typebox';
import {
  ErrorBody,
  ProcessorsData,
  StatsData,
  StreamResetDto,
  StreamStatusDto,
  TimelineEntryDto,
} from '../contract.js';
import type { ErrorStatus } from './app-types.js';
import { OPERATION_EXAMPLES } from './openapi-examples.js';

/** The parts of an OpenAPI 3.1 document this module reads and writes. */
type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  parameters?: Json[];
  requestBody?: { required?: boolean; content?: Record<string, Json> };
  responses: Record<string, Json>;
  'x-body-optional'?: boolean;
}
export interface OpenApiDocument extends Json {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Json & {
    schemas?: Record<string, unknown>;
    responses?: Record<string, unknown>;
    parameters?: Record<string, unknown>;
  };
}

export const OPENAPI_VERSION = '3.1.0';

const ERROR_RESPONSES: Record<ErrorStatus, { name: string; description: string; headers?: Json }> = {
  400: { name: 'BadRequest', description: 'The request breaks the schema: the reason, per field for a new order' },
  401: { name: 'Unauthorized', description: 'The bearer token (MONITOR_API_TOKEN) is missing or wrong' },
  404: { name: 'NotFound', description: 'No such resource' },
  409: { name: 'Conflict', description: 'The resource is not in a state that allows this' },
  413: {
    name: 'ContentTooLarge',
    description: 'The body is larger than the route allows (64 KiB; 1 MiB for a redrive)',
  },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json' },
  429: { name: 'TooManyRequests', description: 'Too many changes from this address in the last minute' },
  503: {
    name: 'Unavailable',
    description: 'The bus or the store does not answer, or is overloaded',
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before asking again: 1 for a passing failure, 30 for a refused setting',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
    },
  },
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: not applied yet; follow Location',
};

const EVENT_ID = { type: 'string', pattern: '^[0-9]+$', description: 'the change cursor: send it as Last-Event-ID' };
/** An event as a client reads it: its type, its data (one JSON document) and, for changes, its id. */
function streamEvent(event: string, data: TSchema, description: string, withId: boolean): Json {
  return {
    type: 'object',
    description,
    required: withId ? ['event', 'data', 'id'] : ['event', 'data'],
    properties: {
      event: { const: event },
      data: { type: 'string', contentMediaType: 'application/json', contentSchema: data },
      id: EVENT_ID,
      retry: { type: 'integer' },
    },
  };
}

/** One event of `GET /api/stream` (the schema of a text/event-stream before OpenAPI 3.2 is the event's). */
export const STREAM_EVENT_SCHEMA: Json = {
  oneOf: [
    streamEvent('order', TimelineEntryDto, 'a new order in the timeline', true),
    streamEvent('status', StreamStatusDto, "an order's status changed", true),
    streamEvent('stats', StatsData, 'new totals (at most twice a second, only when they changed)', false),
    streamEvent('processors', ProcessorsData, 'the processor figures, every 3 s', false),
    streamEvent('reset', StreamResetDto, 'too many changes were missed to replay: reload', false),
    streamEvent(
      'rebuild',
      RebuildStateDto,
      'a rebuild of the views started by this monitor: each phase, progress at most every 200 ms, its end',
      false,
    ),
  ],
};

const STREAM_RESPONSE = {
  description:
    'An endless Server-Sent Events stream (`retry: 2000`, a `: heartbeat` comment every 15 s). Events: ' +
    '`order` and `status` (ids are change cursors: reconnect with Last-Event-ID to get what was missed), ' +
    '`stats`, `processors`, `reset` and `rebuild`.',
  content: { 'text/event-stream': { schema: STREAM_EVENT_SCHEMA } },
};

const ERROR_BODY_TITLE = 'ErrorBody';
const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** A response that carries the error body, as @fastify/swagger renders `ErrorBody` (it keeps the title). */
function isErrorResponse(response: Json): boolean {
  const content = response['content'];
  if (!isJson(content)) return false;
  const media = content['application/json'];
  return isJson(media) && isJson(media['schema']) && media['schema']['title'] === ERROR_BODY_TITLE;
}

function shareParameter(document: OpenApiDocument, parameter: Json): Json {
  const schema = parameter['schema'];
  if (!isJson(schema) || typeof schema['title'] !== 'string') return parameter;
  const name = schema['title'];
  const rest = { ...schema };
  delete rest['title'];
  const shared = { ...parameter, schema: rest };
  const parameters = (document.components.parameters ??= {});
  const existing = parameters[name];
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(shared)) {
    throw new Error(`two different parameters are titled ${name}`);
  }
  parameters[name] = shared;
  return { $ref: `#/components/parameters/${name}` };
}

/**
 * Finishes the document @fastify/swagger generates from the route schemas: the error body and the
 * parameters several operations share become components, optional bodies say so, the event stream
 * gets its 200, and every operation gets its examples.
 */
export function finishDocument(document: OpenApiDocument): OpenApiDocument {
  document.components.schemas = { ...document.components.schemas, ErrorBody: { ...ErrorBody } };
  const usedErrors = new Set<ErrorStatus>();
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      if (operation.parameters !== undefined) {
        operation.parameters = operation.parameters.map((parameter) => shareParameter(document, parameter));
      }
      if (operation['x-body-optional'] === true && operation.requestBody !== undefined) {
        operation.requestBody.required = false;
      }
      delete operation['x-body-optional'];
      if (operation.operationId === 'streamEvents') operation.responses['200'] = STREAM_RESPONSE;
      for (const [status, response] of Object.entries(operation.responses)) {
        const code = Number(status) as ErrorStatus;
        if (ERROR_RESPONSES[code] !== undefined && isErrorResponse(response)) {
          usedErrors.add(code);
          operation.responses[status] = { $ref: `#/components/responses/${ERROR_RESPONSES[code].name}` };
        } else {
          if (response['description'] === 'Default Response') {
            response['description'] = SUCCESS_DESCRIPTIONS[status] ?? 'OK';
          }
          // Every 201 and 202 says where its resource is.
          const location = isJson(response['headers']) ? response['headers']['location'] : undefined;
          if (isJson(location)) location['required'] = true;
        }
      }
      addExamples(operation);
    }
  }
  const responses: Record<string, unknown> = {};
  for (const code of [...usedErrors].sort()) {
    const { name, description, headers } = ERROR_RESPONSES[code];
    responses[name] = {
      description,
      ...(headers === undefined ? {} : { headers }),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
  }
  document.components.responses = responses;
  return document;
}

function addExamples(operation: Operation): void {
  const examples = operation.operationId === undefined ? undefined : OPERATION_EXAMPLES[operation.operationId];
  if (examples === undefined) return;
  const body = operation.requestBody?.content?.['application/json'];
  if (body !== undefined && examples.request !== undefined) body['example'] = examples.request;
  for (const [status, example] of Object.entries(examples.responses)) {
    const response = operation.responses[status];
    const content = response?.['content'];
    if (!isJson(content)) continue;
    const media = content['application/json'] ?? content['text/event-stream'];
    if (isJson(media)) media['example'] = example;
  }
}
