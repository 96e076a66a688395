import type { ErrorBody } from '../contract.js';

/** A failed API call with the server's own message (and per-field messages when it gave them). */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: Readonly<Record<string, string>>;
  constructor(status: number, message: string, fields: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'The monitor is not reachable.');
  }
  const payload = (await response.json().catch(() => undefined)) as (T & Partial<ErrorBody>) | undefined;
  if (!response.ok || payload === undefined) {
    throw new ApiError(response.status, payload?.error ?? `HTTP ${response.status}`, payload?.errors ?? {});
  }
  return payload;
}

export const getJson = <T>(path: string): Promise<T> => request<T>('GET', path);
export const sendJson = <T>(method: 'POST' | 'PUT', path: string, body: unknown, headers?: Record<string, string>) =>
  request<T>(method, path, body, headers);
