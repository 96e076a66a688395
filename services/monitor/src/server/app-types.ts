import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../contract.js';

declare module 'fastify' {
  interface FastifySchema {
    /** The request body may be left out (the route reads it as `{}`): the document says it is optional. */
    'x-body-optional'?: boolean;
  }
}

export type MonitorApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The error statuses a route answers with the error body. */
export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 429 | 503;

/**
 * The error answers of one route: exactly the statuses it can return, so the OpenAPI document lists
 * what a client may see and nothing else (the document refers them to shared responses).
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody])) as Record<S, typeof ErrorBody>;
}

/**
 * Retry-After of a 503: a dependency that failed for a moment (overloaded, a node restarting, a
 * timeout) is worth asking again soon; a full disk takes an operator to free space, so clients come
 * back less often; one that refuses this process's settings fails the same way until an operator
 * changes them.
 */
export function retryAfterSeconds(error: { readonly retryable: boolean; readonly outOfSpace?: boolean }): number {
  if (error.outOfSpace === true) return DISK_FULL_RETRY_AFTER_SECONDS;
  return error.retryable ? 1 : 30;
}

export const DISK_FULL_RETRY_AFTER_SECONDS = 10;

/** The 503's text: a write refused for lack of space says so first, and that nothing was written. */
export function dependencyErrorText(error: {
  readonly dependency: string;
  readonly message: string;
  readonly outOfSpace?: boolean;
}): string {
  return error.outOfSpace === true
    ? `disk full: nothing was written; retry once space is freed (${error.message})`
    : `${error.dependency} unavailable: ${error.message}`;
}

/** The error body: `error` for this system's clients, `message` for the original's, the same text. */
export function errorBody(text: string, errors?: Readonly<Record<string, string>>): ErrorBody {
  return errors === undefined
    ? { success: false, error: text, message: text }
    : { success: false, error: text, message: text, errors: { ...errors } };
}

/** An error with an HTTP status and a message meant for the client. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly errors: Readonly<Record<string, string>> | undefined;
  constructor(statusCode: number, message: string, errors?: Readonly<Record<string, string>>) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.errors = errors;
  }
}
