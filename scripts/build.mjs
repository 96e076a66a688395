/**
 * Builds what the processes run, when it is missing or older than its sources; plain JavaScript so
 * plain `node` runs it (`npm start`'s prestart, the CLI's first run in a checkout, the tests' setup):
 *
 * - dist/app/: one ES module per entry point (the launcher, each service's main, the CLI), bundled
 *   by esbuild from the workspaces' TypeScript, with the code they share and the lazily loaded
 *   adapters in chunks beside them (decision 11);
 * - services/monitor/dist/web/: the dashboard (Vite).
 *
 * `node scripts/build.mjs` builds both as needed; `--force` rebuilds both.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const appDirectory = join(root, 'dist/app');
/** Written last by a build, so its age is the build's age. */
const METAFILE = 'metafile.json';

/** Output name → source: the launcher, every service alone, the CLI. */
export const ENTRY_POINTS = {
  launcher: 'services/launcher/src/main.ts',
  'order-processor': 'services/order-processor/src/main.ts',
  'query-processor': 'services/query-processor/src/main.ts',
  'registry-processor': 'services/registry-processor/src/main.ts',
  monitor: 'services/monitor/src/main.ts',
  'kafka-monitor': 'packages/cli/src/main.ts',
};

const WORKSPACE_PARENTS = ['packages', 'services'];
const DASHBOARD_SOURCES = 'services/monitor/src/web';

/**
 * Newest modification time under `path`, files accepted by `include` only.
 * @param {string} path
 * @param {(file: string) => boolean} include
 * @returns {number}
 */
function newest(path, include) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return include(path) ? stat.mtimeMs : 0;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name), include)), 0);
}

/** @param {string} file */
const isRuntimeSource = (file) =>
  file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.includes(`${sep}src${sep}web${sep}`);

/** The runtime bundles' inputs: workspace sources (not tests, not the dashboard), manifests, this script. */
function newestRuntimeSource() {
  let latest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const parent of WORKSPACE_PARENTS) {
    for (const name of readdirSync(join(root, parent))) {
      const workspace = join(root, parent, name);
      latest = Math.max(latest, newest(join(workspace, 'src'), isRuntimeSource));
      latest = Math.max(
        latest,
        newest(join(workspace, 'package.json'), () => true),
      );
    }
  }
  return latest;
}

/** @param {string} file */
const builtAt = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);

export function runtimeIsStale() {
  return builtAt(join(appDirectory, METAFILE)) < newestRuntimeSource();
}

/**
 * esbuild bundles each module's `import.meta.url` as the bundle's own URL. The few modules that find
 * files relative to themselves (the dashboard build, the SQLite driver for the checkpoint thread) get
 * their source file's location instead, written relative to the output directory so the tree can move
 * (the image's /app) as long as its layout stays.
 * @returns {import('esbuild').Plugin}
 */
function sourceLocatedImportMeta() {
  return {
    name: 'source-located-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        const fromOutput = relative(appDirectory, args.path).split(sep).join('/');
        const located = `new URL(${JSON.stringify(fromOutput)}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', located), loader: 'ts' };
      });
    },
  };
}

/**
 * Workspace packages are bundled; every other package stays an `import` resolved from node_modules at
 * run time (better-sqlite3 is native; kafkajs and cassandra-driver must load only when chosen).
 * @returns {import('esbuild').Plugin}
 */
function externalThirdParty() {
  return {
    name: 'external-third-party',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.path.startsWith('@kafka-monitor/') ? undefined : { path: args.path, external: true },
      );
    },
  };
}

/**
 * The commit the bundles are built from, for `kafka_monitor_build_info`'s `revision` label (the code
 * reads `__KAFKA_MONITOR_REVISION__`, replaced by esbuild's `define`). SOURCE_REVISION names it where
 * there is no .git (the image's build stage: `docker build --build-arg REVISION=$(git rev-parse HEAD)`);
 * `unknown` when neither tells.
 */
export function sourceRevision() {
  const given = process.env.SOURCE_REVISION?.trim();
  if (given !== undefined && /^[0-9a-f]{7,64}$/.test(given)) return given;
  try {
    const revision = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^[0-9a-f]{7,64}$/.test(revision) ? revision : 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function buildRuntime() {
  const { build } = await import('esbuild');
  // Built beside the old output and swapped in at the end, so a process starting meanwhile finds either
  // the old build or the new one, whole.
  const staging = `${appDirectory}.${process.pid}.tmp`;
  const retired = `${appDirectory}.${process.pid}.old`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(ENTRY_POINTS).map(([out, source]) => ({ out, in: source })),
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { __KAFKA_MONITOR_REVISION__: JSON.stringify(sourceRevision()) },
    plugins: [externalThirdParty(), sourceLocatedImportMeta()],
  });
  // The metafile names the outputs by where they were written; name them by where they end up.
  const stagingName = relative(root, staging).split(sep).join('/');
  const finalName = relative(root, appDirectory).split(sep).join('/');
  writeFileSync(join(staging, METAFILE), JSON.stringify(result.metafile).replaceAll(stagingName, finalName));
  if (existsSync(appDirectory)) renameSync(appDirectory, retired);
  renameSync(staging, appDirectory);
  rmSync(retired, { recursive: true, force: true });
}

const dashboardIndex = join(root, 'services/monitor/dist/web/index.html');

export function dashboardIsStale() {
  const sources = Math.max(
    newest(join(root, DASHBOARD_SOURCES), () => true),
    newest(join(root, 'services/monitor/src/contract.ts'), () => true),
    newest(join(root, 'services/monitor/vite.config.ts'), () => true),
  );
  return builtAt(dashboardIndex) < sources;
}

export function buildDashboard() {
  // A caller such as vitest sets NODE_ENV=test, which would make Vite ship React's development build.
  execFileSync('npm', ['run', 'build:web', '--workspace', '@kafka-monitor/monitor', '--silent'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/**
 * Builds the runtime bundles when stale. Progress goes to stderr: the CLI's stdout is its answer.
 * @param {{ force?: boolean }} [options]
 */
export async function ensureRuntimeBuilt(options = {}) {
  if (!options.force && !runtimeIsStale()) return;
  const started = performance.now();
  await buildRuntime();
  console.error(`built dist/app in ${Math.round(performance.now() - started)} ms`);
}

/** @param {{ force?: boolean }} [options] */
export function ensureDashboardBuilt(options = {}) {
  if (!options.force && !dashboardIsStale()) return;
  console.error('building the dashboard (services/monitor/dist/web)…');
  buildDashboard();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  await ensureRuntimeBuilt({ force });
  ensureDashboardBuilt({ force });
}
