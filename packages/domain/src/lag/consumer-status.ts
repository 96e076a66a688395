import { sampleLag, type LagSample } from './lag-sample.js';

/**
 * Burrow's consumer statuses, from the least to the most severe. A group's status is the most severe
 * of its partitions': STOP (nobody consumes) outranks STALL (members present, no progress), which
 * outranks REWIND (progressing again, but from behind) and WARN (progressing too slowly).
 */
export const CONSUMER_STATUSES = ['OK', 'WARN', 'REWIND', 'STALL', 'STOP'] as const;
export type ConsumerStatus = (typeof CONSUMER_STATUSES)[number];

export interface StatusWindow {
  readonly now: number;
  /** How far back the rules look (ms). */
  readonly windowMs: number;
  /** Whether the group has members right now; with none, a partition that stopped is STOP, not STALL. */
  readonly membersPresent: boolean;
}

/**
 * The samples the rules read: those of the last `windowMs`, preceded by the latest older one, which
 * anchors the start. Without an older sample the monitor has not watched a whole window yet.
 */
export function windowOf(
  history: readonly LagSample[],
  now: number,
  windowMs: number,
): { samples: LagSample[]; complete: boolean } {
  const start = now - windowMs;
  let anchor = -1;
  for (let i = 0; i < history.length; i++) if ((history[i]?.at ?? Infinity) <= start) anchor = i;
  const samples = history.slice(Math.max(anchor, 0)).filter((s) => s.committed !== null && s.at <= now);
  return { samples, complete: anchor >= 0 && samples[0] === history[anchor] };
}

/** The first sample whose committed offset is lower than the one before, unless a later one caught up. */
function unrecoveredRewind(samples: readonly LagSample[]): boolean {
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1]?.committed ?? 0;
    if ((samples[i]?.committed ?? 0) < before) {
      return !samples.slice(i).some((s) => (s.committed ?? 0) >= before);
    }
  }
  return false;
}

/**
 * Status of one partition over a sliding window of samples, with the rules Burrow applies to a window
 * of commits, read here from periodic samples of committed and end offsets:
 * - no lag now: OK, whatever happened before (an idle group with nothing to read is never an alarm);
 * - the committed offset went back and has not caught up again: REWIND;
 * - less than a whole window watched, or caught up at some point of it: OK (too early to call);
 * - the committed offset did not move over the window: STOP without members, STALL with them;
 * - the lag never shrank from one sample to the next and ended higher: WARN;
 * - otherwise OK.
 */
export function consumerStatus(history: readonly LagSample[], window: StatusWindow): ConsumerStatus {
  const { samples, complete } = windowOf(history, window.now, window.windowMs);
  const last = samples.at(-1);
  if (last === undefined || (sampleLag(last) ?? 0) === 0) return 'OK';
  if (unrecoveredRewind(samples)) return 'REWIND';
  if (!complete || samples.some((s) => sampleLag(s) === 0)) return 'OK';
  if (samples.every((s) => s.committed === last.committed)) return window.membersPresent ? 'STALL' : 'STOP';
  const lags = samples.map((s) => sampleLag(s) ?? 0);
  const neverShrank = lags.every((lag, i) => i === 0 || lag >= (lags[i - 1] ?? 0));
  return neverShrank && (lags.at(-1) ?? 0) > (lags[0] ?? 0) ? 'WARN' : 'OK';
}

/** The most severe of the statuses; OK for none. */
export function worstStatus(statuses: Iterable<ConsumerStatus>): ConsumerStatus {
  let worst: ConsumerStatus = 'OK';
  for (const s of statuses) if (CONSUMER_STATUSES.indexOf(s) > CONSUMER_STATUSES.indexOf(worst)) worst = s;
  return worst;
}
