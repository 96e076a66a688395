import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { newTimeOrderedId } from './order-ids.js';

describe('newTimeOrderedId', () => {
  it('makes distinct canonical version-7 UUIDs that sort in the order they were made across milliseconds', async () => {
    const first = Array.from({ length: 1_000 }, () => newTimeOrderedId());
    expect(new Set(first).size).toBe(1_000);
    for (const id of first) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await sleep(2);
    const later = newTimeOrderedId();
    for (const id of first) expect(id < later).toBe(true);
  });
});
