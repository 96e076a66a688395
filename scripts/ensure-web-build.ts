/**
 * Runs before `npm start`: builds the dashboard when its build is missing or older than its sources,
 * so a fresh clone serves it and a warm start costs only this check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const monitor = fileURLToPath(new URL('../services/monitor/', import.meta.url));
const built = join(monitor, 'dist/web/index.html');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

const sources = Math.max(
  newest(join(monitor, 'src/web')),
  newest(join(monitor, 'src/contract.ts')),
  newest(join(monitor, 'vite.config.ts')),
);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('building the dashboard (services/monitor/dist/web)…');
  // A caller such as vitest sets NODE_ENV=test, which would make Vite ship React's development build.
  execFileSync('npm', ['run', 'build:web', '--workspace', '@kafka-monitor/monitor', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
