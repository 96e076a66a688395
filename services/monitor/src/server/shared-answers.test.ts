import { describe, expect, it } from 'vitest';
import { createSharedAnswers } from './shared-answers.js';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

/** A load that counts its calls and answers the current value of `source`. */
function countingLoad(source: { value: number }) {
  const load = { calls: 0, run: () => Promise.resolve({ value: source.value, call: ++load.calls }) };
  return load;
}

describe('shared answers', () => {
  it('shares one answer, as JSON text, until it is maxAgeMs old', async () => {
    const time = manualClock();
    const cache = createSharedAnswers({ maxAgeMs: 250, clock: time.clock });
    const source = { value: 1 };
    const load = countingLoad(source);

    expect(await cache.answer('stats', load.run)).toBe('{"value":1,"call":1}');
    source.value = 2;
    time.advance(249);
    expect(await cache.answer('stats', load.run)).toBe('{"value":1,"call":1}');
    time.advance(1);
    expect(await cache.answer('stats', load.run)).toBe('{"value":2,"call":2}');
    expect(load.calls).toBe(2);
  });

  it('runs one load for requests that arrive while it runs', async () => {
    const cache = createSharedAnswers({ maxAgeMs: 250, clock: manualClock().clock });
    let release: (value: number) => void = () => undefined;
    let calls = 0;
    const slow = () => {
      calls += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const answers = [cache.answer('k', slow), cache.answer('k', slow), cache.answer('k', slow)];
    release(7);
    expect(await Promise.all(answers)).toEqual(['7', '7', '7']);
    expect(calls).toBe(1);
  });

  it('keeps no failure: the next request loads again', async () => {
    const cache = createSharedAnswers({ maxAgeMs: 250, clock: manualClock().clock });
    await expect(cache.answer('k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await cache.answer('k', () => Promise.resolve('back'))).toBe('"back"');
  });

  it('keeps answers per key', async () => {
    const cache = createSharedAnswers({ maxAgeMs: 250, clock: manualClock().clock });
    expect(await cache.answer('timeline:10', () => Promise.resolve([1]))).toBe('[1]');
    expect(await cache.answer('timeline:20', () => Promise.resolve([1, 2]))).toBe('[1,2]');
    expect(await cache.answer('timeline:10', () => Promise.resolve(['changed']))).toBe('[1]');
  });

  it('keeps at most maxKeys answers, dropping the oldest', async () => {
    const cache = createSharedAnswers({ maxAgeMs: 250, maxKeys: 2, clock: manualClock().clock });
    await cache.answer('a', () => Promise.resolve('a1'));
    await cache.answer('b', () => Promise.resolve('b1'));
    await cache.answer('c', () => Promise.resolve('c1'));
    expect(await cache.answer('b', () => Promise.resolve('b2'))).toBe('"b1"');
    expect(await cache.answer('a', () => Promise.resolve('a2'))).toBe('"a2"');
  });

  it('shares nothing with maxAgeMs 0', async () => {
    const cache = createSharedAnswers({ maxAgeMs: 0, clock: manualClock().clock });
    const source = { value: 1 };
    const load = countingLoad(source);
    await cache.answer('stats', load.run);
    await cache.answer('stats', load.run);
    expect(load.calls).toBe(2);
  });
});
