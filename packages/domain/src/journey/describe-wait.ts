import type { JourneyWait } from './journey.js';

/** 1204 → "1,204": fixed grouping, so the text is the same on every machine whatever its locale. */
export function groupDigits(value: number): string {
  const digits = String(Math.trunc(Math.abs(value)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 ? `-${grouped}` : grouped;
}

function about(seconds: number): string {
  if (seconds < 1) return 'under 1 s';
  if (seconds < 120) return `about ${Math.round(seconds)} s`;
  return `about ${Math.round(seconds / 60)} min`;
}

/** "waiting for registry-processor: 1,204 messages of lag on registry/2, about 3 s" */
export function describeWait(wait: JourneyWait): string {
  const count = `${groupDigits(wait.messages)} message${wait.messages === 1 ? '' : 's'}`;
  const eta = wait.etaSeconds === null ? 'no throughput reported' : about(wait.etaSeconds);
  return `waiting for ${wait.processor}: ${count} of lag on ${wait.topic}/${wait.partition}, ${eta}`;
}
