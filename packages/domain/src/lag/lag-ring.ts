import type { LagSample } from './lag-sample.js';

/** Numbers kept per sample: time, committed offset, end offset, lag in seconds. */
const FIELDS = 4;
/** Bytes one sample takes in the ring (four 64-bit floats). */
export const LAG_SAMPLE_BYTES = FIELDS * 8;

/**
 * The last `capacity` samples of one partition, oldest first, in one preallocated array: its memory
 * is `capacity * LAG_SAMPLE_BYTES` whatever the traffic, and a new sample overwrites the oldest.
 * Samples must come in time order; one not later than the newest replaces it (a re-read of the same
 * moment). Unknown values (null) are stored as NaN.
 */
export class LagRing {
  readonly capacity: number;
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('a ring holds at least one sample');
    this.capacity = capacity;
    this.values = new Float64Array(capacity * FIELDS);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.values.byteLength;
  }

  push(sample: LagSample): void {
    const newest = this.at(this.count - 1);
    let slot: number;
    if (newest !== undefined && sample.at <= newest.at) {
      slot = (this.start + this.count - 1) % this.capacity;
    } else if (this.count < this.capacity) {
      slot = (this.start + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    const base = slot * FIELDS;
    this.values[base] = sample.at;
    this.values[base + 1] = sample.committed ?? Number.NaN;
    this.values[base + 2] = sample.end;
    this.values[base + 3] = sample.lagSeconds ?? Number.NaN;
  }

  /** The i-th oldest sample. */
  at(index: number): LagSample | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const base = ((this.start + index) % this.capacity) * FIELDS;
    const known = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? null : value);
    return {
      at: this.values[base] ?? 0,
      committed: known(this.values[base + 1]),
      end: this.values[base + 2] ?? 0,
      lagSeconds: known(this.values[base + 3]),
    };
  }

  /** Samples taken at or after `from` (all by default), oldest first. */
  samples(from = -Infinity): LagSample[] {
    const out: LagSample[] = [];
    for (let i = 0; i < this.count; i++) {
      const sample = this.at(i);
      if (sample !== undefined && sample.at >= from) out.push(sample);
    }
    return out;
  }
}
