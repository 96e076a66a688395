import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Test and build tools: none of them may be installed by `npm ci --omit=dev` (the image's tree). */
const TOOLS = ['vitest', 'vite', 'tsx', 'esbuild', 'typescript', 'eslint', 'playwright', 'playwright-core'];
/** Their scoped companions (`@vitest/coverage-v8`, `@esbuild/linux-x64`, `@typescript-eslint/parser`…). */
const TOOL_SCOPES = ['@vitest/', '@esbuild/', '@typescript-eslint/', '@eslint/', '@playwright/'];

interface Tree {
  readonly dependencies?: Readonly<Record<string, Tree>>;
}

/** Every package of the tree, as `parent > … > name` paths, so a failure shows what pulls a tool in. */
function paths(tree: Tree, trail: readonly string[] = []): string[] {
  return Object.entries(tree.dependencies ?? {}).flatMap(([name, child]) => {
    const here = [...trail, name];
    return [here.join(' > '), ...paths(child, here)];
  });
}

const isTool = (name: string): boolean =>
  TOOLS.includes(name) || name === 'typescript-eslint' || TOOL_SCOPES.some((scope) => name.startsWith(scope));

describe('the production dependency tree', () => {
  it('npm ls --omit=dev --all holds no test or build tool', () => {
    const run = spawnSync('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: root, encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    const tree = JSON.parse(run.stdout) as Tree;
    const all = paths(tree);
    // The tree is really there (the workspaces and their runtime libraries), not an empty answer.
    expect(all).toContain('@kafka-monitor/monitor > fastify');
    expect(all).toContain('@kafka-monitor/sqlite > better-sqlite3');
    const tools = all.filter((path) => isTool(path.split(' > ').at(-1) ?? ''));
    expect(tools).toEqual([]);
  });

  it('recognises the tools it looks for', () => {
    expect(
      ['vitest', '@vitest/coverage-v8', 'esbuild', '@esbuild/linux-x64', 'tsx', 'typescript-eslint'].every(isTool),
    ).toBe(true);
    expect(['fastify', 'kafkajs', 'better-sqlite3', 'pino'].some(isTool)).toBe(false);
  });
});
