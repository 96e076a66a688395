import { describe, expect, it } from 'vitest';
import { openProcessLog } from './logger.js';

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { isTTY, hasColors: () => false, write: (text: string) => written.push(text) } };
}

describe('openProcessLog', () => {
  it('writes readable lines and the banner on a terminal', () => {
    const { written, out } = output(true);
    const log = openProcessLog({ level: 'info', bindings: { service: 's' }, format: undefined, out });
    expect(log.format).toBe('pretty');
    log.greet(['banner']);
    log.logger.warn({ partition: 2 }, 'slow');
    expect(written.join('')).toMatch(/^banner\n\d\d:\d\d:\d\d\.\d{3} WARN {2}slow partition=2\n$/);
  });

  it('uses JSON when stdout is not a terminal or LOG_FORMAT=json, and prints no banner then', () => {
    expect(openProcessLog({ level: 'info', bindings: {}, format: undefined, out: output(false).out }).format).toBe(
      'json',
    );
    const { written, out } = output(true);
    const log = openProcessLog({ level: 'info', bindings: {}, format: 'json', out });
    expect(log.format).toBe('json');
    log.greet(['banner']);
    expect(written).toEqual([]);
  });

  it('writes readable lines through a pipe when LOG_FORMAT=pretty', () => {
    const { written, out } = output(false);
    openProcessLog({ level: 'debug', bindings: {}, format: 'pretty', out }).logger.debug({}, 'detail');
    expect(written.join('')).toMatch(/ DEBUG detail\n$/);
  });
});
