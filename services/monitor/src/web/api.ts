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

/** Kept for this tab only: the token of a monitor started with MONITOR_API_TOKEN, asked for on its first 401. */
const TOKEN_KEY = 'kafka-monitor.api-token';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can be disabled; the operator is then asked again on the next refusal.
    return undefined;
  }
}

const withToken = (headers: Record<string, string>, token: string | null | undefined): Record<string, string> =>
  token ? { ...headers, authorization: `Bearer ${token}` } : headers;

/**
 * Changes need the API token when the monitor has one. Refused with 401, the request is retried once
 * with the token the operator types in (the server refuses before doing anything, so the retry is
 * safe); a wrong token is forgotten and the refusal shown.
 */
export async function sendJson<T>(
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const stored = storage()?.getItem(TOKEN_KEY);
  try {
    return await request<T>(method, path, body, withToken(headers, stored));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    storage()?.removeItem(TOKEN_KEY);
    const entered = window.prompt('This monitor needs its API token (MONITOR_API_TOKEN) for changes.', '')?.trim();
    if (!entered) throw error;
    const answer = await request<T>(method, path, body, withToken(headers, entered));
    storage()?.setItem(TOKEN_KEY, entered);
    return answer;
  }
}
