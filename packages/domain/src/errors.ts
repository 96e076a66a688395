/**
 * A failure of the bus or the store, as adapters report it: the driver's error stays as `cause`, and
 * callers decide by `dependency` and `retryable` (retry, answer 503, report degraded) without knowing
 * the driver.
 */
export class DependencyError extends Error {
  readonly code: 'BUS_FAILED' | 'STORE_FAILED';
  readonly dependency: 'bus' | 'store';
  readonly retryable: boolean;

  constructor(dependency: 'bus' | 'store', message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DependencyError';
    this.dependency = dependency;
    this.code = dependency === 'bus' ? 'BUS_FAILED' : 'STORE_FAILED';
    this.retryable = options.retryable ?? true;
  }
}

export function isDependencyError(error: unknown): error is DependencyError {
  return error instanceof DependencyError;
}
