/** What `/health/ready` answers: ready, or not with a reason an operator can act on. */
export type ReadinessState = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/**
 * A process's readiness: not ready while it connects to the bus and the store (with the reason of the
 * last failed attempt), ready once its services started, and not ready again for good once it stops.
 */
export interface Readiness {
  current(): ReadinessState;
  /** Still starting; `reason` says what it waits for or why the last attempt failed. */
  notReady(reason: string): void;
  ready(): void;
  /** Stopping or failed: no later `ready()` or `notReady()` changes the answer. */
  down(reason: string): void;
  /**
   * A condition that keeps a started process not ready while it gives a reason (a full disk), and
   * lets it be ready again by itself once it gives none.
   */
  holdWhile(reason: () => string | undefined): void;
}

export function createReadiness(initialReason: string): Readiness {
  let state: ReadinessState = { ready: false, reason: initialReason };
  let final = false;
  const holds: (() => string | undefined)[] = [];
  return {
    current() {
      if (!state.ready) return state;
      for (const hold of holds) {
        const reason = hold();
        if (reason !== undefined) return { ready: false, reason: sanitizeReason(reason) };
      }
      return state;
    },
    notReady(reason) {
      if (!final) state = { ready: false, reason: sanitizeReason(reason) };
    },
    ready() {
      if (!final) state = { ready: true };
    },
    down(reason) {
      final = true;
      state = { ready: false, reason: sanitizeReason(reason) };
    },
    holdWhile(reason) {
      holds.push(reason);
    },
  };
}

const MAX_REASON_LENGTH = 300;

/**
 * A reason fit for an unauthenticated probe: one line, bounded, with credentials written into a URL
 * (`scheme://user:password@host`) or as `password=…` removed. The messages come from classified
 * dependency errors, which carry no secrets; this is the second line of defence.
 */
export function sanitizeReason(message: string): string {
  const oneLine = message
    .replace(/[\r\n\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, '//***@')
    .replace(/\b(password|passwd|pwd|secret|token)(\s*[=:]\s*)\S+/gi, '$1$2***')
    .trim();
  const bounded = oneLine.length > MAX_REASON_LENGTH ? `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…` : oneLine;
  return bounded === '' ? 'unknown error' : bounded;
}

/** The reason of a failed start attempt: its message, sanitized. */
export function reasonOf(error: unknown): string {
  return sanitizeReason(error instanceof Error ? error.message : String(error));
}
