import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { ENTRY_POINTS } from '../scripts/build.mjs';
import { freePort, temporaryDirectory } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = join(root, 'dist/app');

/** Packages no running process may load: development tools, and the engines' drivers until chosen. */
const DEVELOPMENT_TOOLS = ['tsx', 'esbuild', 'typescript', 'vite', 'vitest'];
const ENGINE_DRIVERS = ['cassandra-driver', 'kafkajs'];

interface MetaOutput {
  readonly imports: readonly { readonly path: string; readonly kind: string; readonly external?: boolean }[];
  readonly entryPoint?: string;
}
interface Metafile {
  readonly outputs: Readonly<Record<string, MetaOutput>>;
}

const metafile = (): Metafile => JSON.parse(readFileSync(join(app, 'metafile.json'), 'utf8')) as Metafile;

/** The packages an output loads, following its chunks; dynamic imports only when `dynamic`. */
function packagesLoadedBy(meta: Metafile, output: string, dynamic: boolean, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(output)) return packages;
  seen.add(output);
  for (const imported of meta.outputs[output]?.imports ?? []) {
    if (imported.kind === 'dynamic-import' && !dynamic) continue;
    if (imported.external === true) packages.add(imported.path);
    else for (const name of packagesLoadedBy(meta, imported.path, dynamic, seen)) packages.add(name);
  }
  return packages;
}

interface ProcessInfo {
  readonly pid: number;
  readonly parent: number;
  readonly group: number;
  readonly argv: readonly string[];
}

/** Every process of the machine that can still be read (some end while being read). */
function processes(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        // The command name (field 2) may hold spaces and parentheses: fields are read after its last ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').slice(0, -1);
        return [{ pid: Number(name), parent: Number(fields[1]), group: Number(fields[2]), argv }];
      } catch {
        return [];
      }
    });
}

describe('the compiled runtime', () => {
  it('every service entry point and the CLI load no development tool, and no engine driver until chosen', () => {
    const meta = metafile();
    // One output per entry point of the build, each named after it.
    const entries = Object.entries(ENTRY_POINTS).map(([name, source]) => {
      const file = `dist/app/${name}.js`;
      expect(meta.outputs[file]?.entryPoint, file).toBe(source);
      return [file] as const;
    });
    expect(Object.keys(ENTRY_POINTS).sort()).toEqual(
      ['kafka-monitor', 'launcher', 'monitor', 'order-processor', 'query-processor', 'registry-processor'].sort(),
    );
    for (const [file] of entries) {
      const eager = packagesLoadedBy(meta, file, false);
      const all = packagesLoadedBy(meta, file, true);
      expect(
        [...all].filter((name) => DEVELOPMENT_TOOLS.includes(name)),
        file,
      ).toEqual([]);
      // The embedded default never loads kafkajs or cassandra-driver: they sit behind dynamic imports.
      expect(
        [...eager].filter((name) => ENGINE_DRIVERS.includes(name)),
        file,
      ).toEqual([]);
      expect([...all].filter((name) => ENGINE_DRIVERS.includes(name)).sort(), file).toEqual(ENGINE_DRIVERS);
      // Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: the OpenTelemetry SDK sits behind a
      // dynamic import too (the CLI traces nothing; every service can load it).
      expect(
        [...eager].filter((name) => name.startsWith('@opentelemetry/')),
        file,
      ).toEqual([]);
      if (file !== 'dist/app/kafka-monitor.js') expect(all.has('@opentelemetry/sdk-trace-base'), file).toBe(true);
      // A positive control for the checks above: the analysis does see the bundles' package imports
      // (every entry point logs through pino). The SQLite driver is not among them: it is required by
      // a name chosen at run time (packages/sqlite/src/driver.ts, decision 12).
      expect(eager.has('pino'), file).toBe(true);
    }
  });

  describe('npm start', () => {
    const dir = temporaryDirectory('compiled-start-');
    afterAll(() => dir.remove());

    it('runs node on dist/app/launcher.js, with the V8 flag and no loader, and serves /api/stats', async () => {
      const port = await freePort();
      // What npm start itself puts on node's command line and in its environment is under test.
      const inherited = { ...process.env };
      delete inherited.NODE_OPTIONS;
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: root,
        env: { ...inherited, DATA_DIR: dir.path, PORT: String(port), ORDER_RATE: '0', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
        detached: true,
      });
      const exited = once(npm, 'exit');
      try {
        await waitFor(
          '/api/stats answering',
          async () => (await fetch(`http://127.0.0.1:${port}/api/stats`).catch(() => undefined))?.status,
          (status) => status === 200,
          60_000,
        );
        const group = processes().filter((p) => p.group === npm.pid);
        // npm runs the start script in a shell that execs node: the launcher is npm's own child.
        const launcher = group.find((p) => p.parent === npm.pid);
        expect(launcher?.argv.slice(1)).toEqual(['--no-allocation-site-pretenuring', 'dist/app/launcher.js']);
        // The program is node itself (its thread name, /proc/<pid>/comm, is "MainThread" on Node 24).
        expect(basename(readlinkSync(`/proc/${launcher?.pid}/exe`))).toBe('node');
        const entry = resolve(root, launcher?.argv.at(-1) ?? '');
        expect(isAbsolute(relative(app, entry)) || relative(app, entry).startsWith('..')).toBe(false);
        // Nothing in the tree npm started mentions tsx, and node was given no loader in any way.
        expect(group.filter((p) => p.argv.some((arg) => arg.includes('tsx')))).toEqual([]);
        expect(
          launcher?.argv.filter((arg) => /^--(import|loader|experimental-loader|require)\b|^-r$/.test(arg)),
        ).toEqual([]);
        const environment = readFileSync(`/proc/${launcher?.pid}/environ`, 'utf8').split('\0');
        expect(
          environment.filter((variable) => variable.startsWith('NODE_OPTIONS=') && variable !== 'NODE_OPTIONS='),
        ).toEqual([]);
      } finally {
        if (npm.pid !== undefined) process.kill(-npm.pid, 'SIGTERM');
        await exited;
      }
    }, 90_000);
  });
});
