const REDACTED = '[redacted]';

/**
 * A password or key passphrase. It prints itself as `[redacted]` however it is turned into text
 * (template strings, JSON, Node's inspect used by console.log and loggers), so a configuration or an
 * options object can be logged whole without leaking it; only `reveal()` gives the value, and only
 * the code that builds a driver's options calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  // Node's util.inspect looks this symbol up by its registered name; no Node type needed here.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** A secret given either wrapped or as plain text (tests, callers without a configuration). */
export type SecretText = Secret | string;

export function revealSecret(value: SecretText): string {
  return typeof value === 'string' ? value : value.reveal();
}
