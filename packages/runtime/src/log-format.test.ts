import { describe, expect, it } from 'vitest';
import { prettyLogLine } from './log-format.js';

const at = (h: number, m: number, s: number, ms: number): number => new Date(2026, 11, 6, h, m, s, ms).getTime();
const line = (entry: Record<string, unknown>): string => JSON.stringify(entry);
const plain = { colors: false };

describe('prettyLogLine', () => {
  it('shows local time, level and message, then the fields that are not the same on every line', () => {
    const json = line({
      level: 30,
      time: at(9, 5, 7, 42),
      service: 'kafka-monitor',
      instance: 'host-1',
      processor: 'query-processor',
      settings: { orderRate: 10 },
      count: 3,
      ok: true,
      msg: 'order generator started',
    });
    expect(prettyLogLine(json, plain)).toBe(
      '09:05:07.042 INFO  order generator started processor=query-processor settings={"orderRate":10} count=3 ok=true',
    );
  });

  it('quotes a value with spaces, quotes or control characters, and keeps a message on one line', () => {
    const json = line({ level: 40, time: at(23, 59, 59, 999), reason: 'a b', id: 'x"y', msg: 'two\nlines\u001b[31m' });
    expect(prettyLogLine(json, plain)).toBe('23:59:59.999 WARN  two\\nlines\\u001b[31m reason="a b" id="x\\"y"');
  });

  it("puts an error's message on the line and, from level error, its stack below", () => {
    const err = {
      type: 'Error',
      message: 'connection refused',
      stack: 'Error: connection refused\n    at open (a.js:1:2)',
    };
    expect(prettyLogLine(line({ level: 50, time: at(1, 2, 3, 4), err, msg: 'cannot start' }), plain)).toBe(
      '01:02:03.004 ERROR cannot start err="connection refused"\n    at open (a.js:1:2)',
    );
    expect(prettyLogLine(line({ level: 40, time: at(1, 2, 3, 4), err, msg: 'retrying' }), plain)).toBe(
      '01:02:03.004 WARN  retrying err="connection refused"',
    );
  });

  it('colours the level and the field names only when asked', () => {
    const json = line({ level: 50, time: at(1, 2, 3, 4), signal: 'SIGINT', msg: 'm' });
    expect(prettyLogLine(json, { colors: true })).toBe(
      '01:02:03.004 \u001b[31mERROR\u001b[0m m \u001b[2msignal\u001b[0m=SIGINT',
    );
  });

  it('keeps a line that is not a JSON object as it came', () => {
    expect(prettyLogLine('not json\n', plain)).toBe('not json');
    expect(prettyLogLine('[1,2]', plain)).toBe('[1,2]');
  });
});
