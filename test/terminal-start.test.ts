import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, temporaryDirectory } from './helpers.js';

/*
 * `npm start`'s process as a person sees it on a terminal and as a log collector sees it through a pipe.
 * The terminal is a real pseudo-terminal: util-linux `script` runs the launcher on one, and a Ctrl+C
 * written to it reaches the launcher as SIGINT, as it does from a keyboard.
 */

const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
// eslint-disable-next-line no-control-regex -- colour sequences are what is removed
const ANSI = /\u001b\[[0-9;]*m/g;
const CTRL_C = '\u0003';

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written so far: colour sequences and the terminal's echo of Ctrl+C (^C) removed, lines ended by \n. */
  output(): string;
  readonly exited: Promise<unknown>;
}

function launch(how: 'terminal' | 'pipe', env: Record<string, string>): Started {
  const launcher = `exec ${quote(process.execPath)} ${LAUNCHER_ARGS.map(quote).join(' ')}`;
  const [command, args] =
    how === 'terminal' ? ['script', ['-qfec', launcher, '/dev/null']] : [process.execPath, [...LAUNCHER_ARGS]];
  const child = spawn(command, args, {
    env: { ...process.env, PORT: '0', ORDER_RATE: '5', TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    child,
    output: () => text.replace(ANSI, '').replaceAll('^C', '').replaceAll('\r\n', '\n'),
    exited: once(child, 'exit'),
  };
}

async function stop(started: Started, how: 'terminal' | 'pipe'): Promise<void> {
  if (started.child.exitCode === null) {
    if (how === 'terminal') started.child.stdin.write(CTRL_C);
    else started.child.kill('SIGINT');
  }
  await started.exited;
}

const bannerUrl = (output: string, label: string): string | undefined =>
  new RegExp(`^  ${label} +(http://\\S+)$`, 'm').exec(output)?.[1];

describe('npm start on a terminal and through a pipe', () => {
  const dirs: { remove(): void }[] = [];
  const dataDir = (): string => {
    const dir = temporaryDirectory('terminal-');
    dirs.push(dir);
    return dir.path;
  };
  afterAll(() => dirs.forEach((dir) => dir.remove()));

  it('on a terminal: one banner with the addresses that answer, then readable lines', async () => {
    const data = dataDir();
    const started = launch('terminal', { DATA_DIR: data });
    try {
      const output = await waitFor(
        'the banner',
        () => Promise.resolve(started.output()),
        (text) => text.includes('Ctrl+C stops it.'),
        30_000,
      );
      const dashboard = bannerUrl(output, 'Dashboard');
      const docs = bannerUrl(output, 'API docs');
      const metrics = bannerUrl(output, 'Metrics');
      expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(dashboard).not.toMatch(/:0\/$/);
      expect(docs).toBe(`${dashboard}docs`);
      expect(metrics).toBe(`${dashboard}metrics`);
      expect(output).toMatch(new RegExp(`^  Data +${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      // Every address the banner gives answers.
      expect((await fetch(dashboard ?? '')).status).toBe(200);
      expect((await fetch(docs ?? '')).status).toBe(200);
      expect(await (await fetch(metrics ?? '')).text()).toContain('kafka_monitor_');
      // The banner stands for the start-up lines: it is all there is before the first stop, and no JSON.
      expect(output.split('\n').filter((line) => line.trim() !== '')).toHaveLength(6);
      expect(output).not.toContain('{"level"');

      await stop(started, 'terminal');
      const lines = started.output().split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}stopping signal=SIGINT$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}stopped$/));
      expect(started.child.exitCode).toBe(0);
    } finally {
      await stop(started, 'terminal');
    }
  }, 60_000);

  it('through a pipe: JSON lines only, the monitor line with the port really bound', async () => {
    const started = launch('pipe', { DATA_DIR: dataDir() });
    try {
      await waitFor(
        'the monitor line',
        () => Promise.resolve(started.output()),
        (text) => text.includes('"monitor listening"'),
        30_000,
      );
      await stop(started, 'pipe');
      const lines = started
        .output()
        .split('\n')
        .filter((line) => line !== '');
      const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string; url?: string });
      expect(entries.map((e) => e.msg)).toEqual(expect.arrayContaining(['monitor listening', 'stopping', 'stopped']));
      const url = entries.find((e) => e.msg === 'monitor listening')?.url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
      expect(started.output()).not.toContain('Dashboard');
    } finally {
      await stop(started, 'pipe');
    }
  }, 60_000);

  it('on a terminal with LOG_FORMAT=json: JSON lines only, no banner', async () => {
    const started = launch('terminal', { DATA_DIR: dataDir(), LOG_FORMAT: 'json' });
    try {
      await waitFor(
        'the monitor line',
        () => Promise.resolve(started.output()),
        (text) => text.includes('"monitor listening"'),
        30_000,
      );
      await stop(started, 'terminal');
      const lines = started
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThanOrEqual(4);
      for (const line of lines) expect(JSON.parse(line)).toHaveProperty('msg');
      expect(started.output()).not.toContain('Dashboard');
    } finally {
      await stop(started, 'terminal');
    }
  }, 60_000);
});
