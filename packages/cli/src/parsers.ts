import { InvalidArgumentError } from 'commander';

/** Argument parsers: a value they refuse is a usage error (exit 2) naming what was expected. */

export function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(`${name} must be a positive whole number.`);
    }
    return parsed;
  };
}

export function nonNegativeInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) {
      throw new InvalidArgumentError(`${name} must be a whole number of at least 0.`);
    }
    return parsed;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`${name} must be a number of at least 0.`);
    }
    return parsed;
  };
}

export function fromBeginningFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError("expected 'true' (read from the beginning) or 'false'.");
}

/** ISO 8601 with at least a date ("2026-11-26", "2026-11-26T15:00:00Z"); anything looser is a typo. */
export function isoTime(value: string): number {
  const parsed = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(parsed)) {
    throw new InvalidArgumentError('expected an ISO 8601 time such as 2026-11-26T15:00:00Z.');
  }
  return parsed;
}

/** `host:port[,host:port…]`, as Kafka's --bootstrap-server and kcat's -b take it. */
export function brokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const valid = (broker: string): boolean => {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(broker);
    const port = Number(match?.[2]);
    return match !== null && port >= 1 && port <= 65_535;
  };
  if (brokers.length === 0 || !brokers.every(valid)) {
    throw new InvalidArgumentError('expected host:port[,host:port...], such as 127.0.0.1:9092.');
  }
  return brokers;
}

/** A whole number of either sign, as kafka-consumer-groups --shift-by takes it. */
export function signedInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^[-+]?\d+$/.test(value) || !Number.isSafeInteger(parsed)) {
      throw new InvalidArgumentError(`${name} must be a whole number; negative moves back, such as -100.`);
    }
    return parsed;
  };
}

export interface ParsedDuration {
  /** As the operator wrote it, for the plan's heading. */
  readonly text: string;
  readonly milliseconds: number;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,9}))?S)?)?$/i;

/**
 * An ISO 8601 duration in the form Kafka's --by-duration reads (java.time.Duration): days, hours,
 * minutes and seconds, `PnDTnHnMn.nS`, such as PT30M or P1DT12H. Years, months and weeks have no fixed
 * length, so Kafka refuses them and so does this. A sign is refused too: the duration goes back from now.
 */
export function isoDuration(value: string): ParsedDuration {
  const match = DURATION.exec(value);
  const [, days, hours, minutes, seconds, fraction] = match ?? [];
  const hasPart = [days, hours, minutes, seconds].some((part) => part !== undefined);
  if (match === null || !hasPart || /T$/i.test(value)) {
    throw new InvalidArgumentError('expected an ISO 8601 duration PnDTnHnMnS, such as PT30M, PT1H or P1DT12H.');
  }
  const whole = (part: string | undefined, unit: number): number => (part === undefined ? 0 : Number(part) * unit);
  const milliseconds =
    whole(days, 86_400_000) +
    whole(hours, 3_600_000) +
    whole(minutes, 60_000) +
    whole(seconds, 1_000) +
    Math.floor(Number(`0.${fraction ?? '0'}`) * 1_000);
  if (!Number.isSafeInteger(milliseconds)) throw new InvalidArgumentError('the duration is too long.');
  return { text: value.toUpperCase(), milliseconds };
}
