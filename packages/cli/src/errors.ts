/** A failure explained to the operator in its message; the CLI prints it and exits with code 1. */
export class CliError extends Error {
  readonly code = 'CLI_FAILED';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * Settles with the work, or rejects with a CliError naming `what` once `ms` passed, so an unreachable
 * broker ends the command instead of leaving it waiting on retries.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CliError(`${what} did not finish within ${formatSeconds(ms)}; is the bus reachable?`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
