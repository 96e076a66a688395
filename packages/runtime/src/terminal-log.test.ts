import { describe, expect, it } from 'vitest';
import { terminalLog } from './terminal-log.js';

const entry = (level: number, msg: string): string => `${JSON.stringify({ level, time: 0, msg })}\n`;
const messages = (written: string[]): string[] =>
  written
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\S+ \S+ +/, ''));

function captured(holdStartup: boolean) {
  const written: string[] = [];
  const log = terminalLog({ write: (text: string) => written.push(text) }, { colors: false, holdStartup });
  return { written, log };
}

describe('terminalLog', () => {
  it('holds start-up lines at info until the greeting, which replaces them; later lines show at once', () => {
    const { written, log } = captured(true);
    log.write(entry(30, 'query-processor consuming'));
    log.write(entry(40, 'bus not ready; retrying'));
    expect(messages(written)).toEqual(['bus not ready; retrying']);
    log.greet(['', 'banner', '']);
    log.write(entry(30, 'stopping'));
    expect(written.join('')).toContain('\nbanner\n\n');
    expect(messages(written)).toEqual(['bus not ready; retrying', 'banner', 'stopping']);
  });

  it('shows what was held when the start fails, before the error', () => {
    const { written, log } = captured(true);
    log.write(entry(30, 'query-processor consuming'));
    log.write(entry(50, 'cannot start'));
    log.write(entry(30, 'stopped'));
    expect(messages(written)).toEqual(['query-processor consuming', 'cannot start', 'stopped']);
  });

  it('stops holding past 50 lines, and holds nothing when every line is wanted (debug)', () => {
    const many = captured(true);
    for (let i = 0; i < 51; i++) many.log.write(entry(30, `line ${i}`));
    expect(messages(many.written)).toHaveLength(51);
    const debug = captured(false);
    debug.log.write(entry(20, 'detail'));
    expect(messages(debug.written)).toEqual(['detail']);
  });
});
