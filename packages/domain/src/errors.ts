import type { OffsetResetTarget } from './ports/bus-admin.js';

/**
 * A failure of the bus or the store, as adapters report it: the driver's error stays as `cause`, and
 * callers decide by `dependency` and `retryable` (retry, answer 503, report degraded) without knowing
 * the driver.
 */
export class DependencyError extends Error {
  readonly code: 'BUS_FAILED' | 'STORE_FAILED';
  readonly dependency: 'bus' | 'store';
  readonly retryable: boolean;
  /**
   * The dependency refused this client's own settings (credentials, certificates, TLS or not): asking
   * again with the same settings fails the same way until an operator changes them, or the server side.
   * Tools stop at once with a configuration error; long-running services keep retrying slowly.
   */
  readonly misconfigured: boolean;
  /**
   * The dependency refused a write for lack of space (a full disk, or a size limit of the file): nothing
   * of that write was applied, and the same write succeeds once space returns. Reads keep working.
   */
  readonly outOfSpace: boolean;

  constructor(
    dependency: 'bus' | 'store',
    message: string,
    options: { cause?: unknown; retryable?: boolean; misconfigured?: boolean; outOfSpace?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DependencyError';
    this.dependency = dependency;
    this.code = dependency === 'bus' ? 'BUS_FAILED' : 'STORE_FAILED';
    this.misconfigured = options.misconfigured ?? false;
    this.outOfSpace = options.outOfSpace ?? false;
    this.retryable = options.retryable ?? !this.misconfigured;
  }
}

export function isDependencyError(error: unknown): error is DependencyError {
  return error instanceof DependencyError;
}

/** A write refused for lack of space (see `DependencyError.outOfSpace`). */
export function isOutOfSpace(error: unknown): error is DependencyError {
  return error instanceof DependencyError && error.outOfSpace;
}

/**
 * How long to wait before the next attempt after `failures` failures in a row: `firstMs`, doubling per
 * failure, never more than `maxMs`. Every retry loop (start-up, consumers, the generator) waits this way.
 */
export function retryDelayMs(failures: number, delay: { readonly firstMs: number; readonly maxMs: number }): number {
  return Math.min(delay.maxMs, delay.firstMs * 2 ** failures);
}

export type BusAdminErrorCode = 'UNKNOWN_TOPIC' | 'UNKNOWN_GROUP' | 'GROUP_NOT_EMPTY' | 'INVALID_ARGUMENT';

/**
 * A refusal of an administrative request that the operator can act on (wrong name, group still
 * running), as opposed to the bus being down (`DependencyError`). Never retryable: asking again
 * without changing anything gets the same answer.
 */
export class BusAdminError extends Error {
  readonly code: BusAdminErrorCode;
  /** Live members of the group, for `GROUP_NOT_EMPTY`; so a message can say how many to stop. */
  readonly members: number | undefined;

  constructor(code: BusAdminErrorCode, message: string, options: { members?: number } = {}) {
    super(message);
    this.name = 'BusAdminError';
    this.code = code;
    this.members = options.members;
  }
}

export function isBusAdminError(error: unknown, code?: BusAdminErrorCode): error is BusAdminError {
  return error instanceof BusAdminError && (code === undefined || error.code === code);
}

/**
 * The refusal to change a group that still has live members, worded the same by every adapter so the
 * operator reads one message whichever bus runs (`action`: "delete", "reset the offsets of").
 */
export function groupNotEmpty(group: string, action: string, members: number): BusAdminError {
  return new BusAdminError(
    'GROUP_NOT_EMPTY',
    `cannot ${action} group '${group}': it has ${members} live member${members === 1 ? '' : 's'}; ` +
      'stop its consumers first (a consumer that crashed leaves the group after the session timeout)',
    { members },
  );
}

/** The refusal of a shift on a partition with nothing committed, worded alike on every bus. */
export function noCommittedOffset(group: string, topic: string, partition: number): BusAdminError {
  return new BusAdminError(
    'INVALID_ARGUMENT',
    `cannot shift the offset of group '${group}' on topic '${topic}' partition ${partition}: it has no committed offset there`,
  );
}

/** Brings a requested offset into a partition's kept range, as Kafka's reset does. */
export function clampOffset(offset: number, earliest: number, end: number): number {
  return Math.min(Math.max(offset, earliest), end);
}

/** Refuses a reset target no adapter can apply, with the same words on every bus. */
export function checkResetTarget(target: OffsetResetTarget): void {
  if (target.to === 'timestamp' && !Number.isFinite(target.timestamp)) {
    throw new BusAdminError('INVALID_ARGUMENT', 'the reset timestamp must be a finite number of epoch ms');
  }
  if (target.to === 'offset' && (!Number.isSafeInteger(target.offset) || target.offset < 0)) {
    throw new BusAdminError('INVALID_ARGUMENT', 'the reset offset must be a whole number of at least 0');
  }
  if (target.to === 'shift' && !Number.isSafeInteger(target.by)) {
    throw new BusAdminError('INVALID_ARGUMENT', 'the shift must be a whole number (negative moves back)');
  }
}

/**
 * Node's TLS error codes for a server certificate that does not chain to a trusted CA, or is not valid
 * now: both adapters tell the operator to name the right CA file rather than to retry.
 */
const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

export function isUntrustedCertificateCode(code: string): boolean {
  return UNTRUSTED_CERTIFICATE_CODES.has(code);
}
