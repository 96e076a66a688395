import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentedSeries } from './catalog.js';
import { documentedName, metricNames } from './promql.js';

const RULES_FILE = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));

/** Series Prometheus writes itself for every target. */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/**
 * The `expr` of every rule in the file, as written: either on its line (`expr: <query>`) or as a
 * literal block (`expr: |`, then the lines indented deeper). The rules file is written in these two
 * forms only; another form makes this throw rather than skip a rule.
 */
function ruleExpressions(source: string): { record?: string; alert?: string; expr: string }[] {
  const lines = source.split('\n');
  const rules: { record?: string; alert?: string; expr: string }[] = [];
  let name: { record?: string; alert?: string } = {};
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const named = /^\s*- (record|alert): *(\S+)\s*$/.exec(line);
    const [, kind, ruleName = ''] = named ?? [];
    if (kind !== undefined) name = kind === 'record' ? { record: ruleName } : { alert: ruleName };
    const expr = /^(\s*)expr: *(.*)$/.exec(line);
    if (expr === null) continue;
    const [, indent = '', rest = ''] = expr;
    if (rest === '|') {
      const body: string[] = [];
      const deeper = (next: string): boolean =>
        next.trim() === '' || next.length - next.trimStart().length > indent.length;
      while (i + 1 < lines.length && deeper(lines[i + 1] ?? '')) {
        i += 1;
        body.push(lines[i] ?? '');
      }
      rules.push({ ...name, expr: body.join('\n').trim() });
    } else if (rest !== '' && !/^[|>]/.test(rest)) {
      rules.push({ ...name, expr: rest.trim() });
    } else {
      throw new Error(`line ${i + 1}: an expr in a form this reader does not know: ${line}`);
    }
  }
  return rules;
}

describe('deploy/prometheus/alerts.yml against docs/metrics.md', () => {
  const rules = ruleExpressions(readFileSync(RULES_FILE, 'utf8'));
  const catalog = documentedSeries();
  const recorded = new Set(rules.flatMap((r) => (r.record === undefined ? [] : [r.record])));

  it('reads every rule of the file', () => {
    const source = readFileSync(RULES_FILE, 'utf8');
    expect(rules).toHaveLength((source.match(/^\s*- (record|alert):/gm) ?? []).length);
    expect(rules.filter((r) => r.alert !== undefined).length).toBeGreaterThan(0);
  });

  it('reads only documented series, series Prometheus writes, or series its own rules record', () => {
    const unknown = rules.flatMap((rule) =>
      metricNames(rule.expr)
        .filter((n) => documentedName(n, catalog) === undefined && !SYNTHETIC.has(n) && !recorded.has(n))
        .map((n) => `${rule.alert ?? rule.record ?? '?'}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('uses only documented labels of the cluster-wide series it aggregates', () => {
    // A label the catalog does not list (a renamed one) would make a `by (…)` group everything together.
    const problems: string[] = [];
    for (const rule of rules) {
      for (const clause of rule.expr.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)) {
        const labels = (clause[1] ?? '')
          .split(',')
          .map((l) => l.trim())
          .filter((l) => l !== '');
        const series = metricNames(rule.expr)
          .map((n) => catalog.get(documentedName(n, catalog) ?? ''))
          .filter((s) => s !== undefined);
        if (series.length === 0) continue;
        for (const label of labels) {
          if (!['job', 'instance'].includes(label) && !series.some((s) => s.labels.includes(label)))
            problems.push(`${rule.alert ?? rule.record ?? '?'}: ${label}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
