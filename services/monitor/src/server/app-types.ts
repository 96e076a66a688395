import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../contract.js';

export type MonitorApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Every error a route can answer with, so the OpenAPI document lists each status a client may see. */
export const ERRORS = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
} as const;

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
