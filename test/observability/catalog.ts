/**
 * The documented metric catalog (docs/metrics.md) and the queries of the Grafana dashboard
 * (deploy/grafana/kafka-monitor.json), for tests that hold one against the other: every query may
 * read only documented series.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DocumentedSeries } from './promql.js';

export type { DocumentedSeries } from './promql.js';

const root = new URL('../../', import.meta.url);
export const METRICS_DOC = fileURLToPath(new URL('docs/metrics.md', root));
export const DASHBOARD_FILE = fileURLToPath(new URL('deploy/grafana/kafka-monitor.json', root));

const SERIES_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());
}

/**
 * Every series of the markdown tables whose header's first cell is `series`: name (in backticks in
 * the first column), type and labels (comma-separated; `(none)` for none). Histograms appear by
 * their base name. Other tables (such as the reason classes) are not series and are skipped.
 */
export function parseSeriesTables(markdown: string): Map<string, DocumentedSeries> {
  const series = new Map<string, DocumentedSeries>();
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const header = cells(lines[i] ?? '');
    if (!lines[i]?.trim().startsWith('|') || header[0] !== 'series') continue;
    const typeColumn = header.indexOf('type');
    const labelsColumn = header.indexOf('labels');
    if (typeColumn < 0 || labelsColumn < 0) throw new Error(`metrics table without type or labels column: ${lines[i]}`);
    i += 2; // past the header and its separator row
    for (; i < lines.length && lines[i]?.trim().startsWith('|'); i += 1) {
      const row = cells(lines[i] ?? '');
      const name = /^`([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(row[0] ?? '')?.[1];
      const type = row[typeColumn] ?? '';
      if (name === undefined) throw new Error(`metrics table row without a series name in backticks: ${lines[i]}`);
      if (!SERIES_TYPES.has(type)) throw new Error(`series ${name} has an unknown type "${type}"`);
      if (series.has(name)) throw new Error(`series ${name} is documented twice`);
      const labelsCell = row[labelsColumn] ?? '';
      const labels = labelsCell === '(none)' || labelsCell === '' ? [] : labelsCell.split(',').map((l) => l.trim());
      series.set(name, { type, labels });
    }
  }
  return series;
}

/** The series documented in docs/metrics.md, by name. */
export function documentedSeries(file: string = METRICS_DOC): Map<string, DocumentedSeries> {
  const series = parseSeriesTables(readFileSync(file, 'utf8'));
  if (series.size === 0) throw new Error(`${file} documents no series`);
  return series;
}

export interface Panel {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly title?: unknown;
  readonly gridPos?: { x?: unknown; y?: unknown; w?: unknown; h?: unknown };
  readonly datasource?: { type?: unknown; uid?: unknown } | null;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}

export interface Target {
  readonly refId?: unknown;
  readonly expr?: unknown;
  readonly datasource?: { type?: unknown; uid?: unknown } | null;
}

export interface Variable {
  readonly type?: unknown;
  readonly name?: unknown;
  readonly query?: unknown;
  readonly definition?: unknown;
  readonly allValue?: unknown;
  readonly datasource?: { type?: unknown; uid?: unknown } | null;
}

export interface Dashboard {
  readonly uid?: unknown;
  readonly title?: unknown;
  readonly schemaVersion?: unknown;
  readonly panels?: readonly Panel[];
  readonly templating?: { list?: readonly Variable[] };
}

export function readDashboard(file: string = DASHBOARD_FILE): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every panel, those inside (collapsed) rows included, rows themselves too. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Grafana's built-in interval variables, replaced by a fixed range. */
const INTERVALS = ['__rate_interval', '__interval', '__range'];

/**
 * `expr` with Grafana's variables replaced by values that match anything, so the query runs as is:
 * a template variable by its `allValue` (`.*` when it has none), the built-in intervals by `1m`.
 * A `$name` of no defined variable throws.
 */
export function substituteVariables(expr: string, variables: readonly Variable[]): string {
  const values = new Map<string, string>(INTERVALS.map((name) => [name, '1m']));
  for (const variable of variables) {
    if (typeof variable.name !== 'string') throw new Error('template variable without a name');
    values.set(variable.name, typeof variable.allValue === 'string' ? variable.allValue : '.*');
  }
  const reference =
    /\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]/g;
  return expr.replace(reference, (whole, braced?: string, plain?: string, bracketed?: string) => {
    const name = braced ?? plain ?? bracketed ?? '';
    const value = values.get(name);
    if (value === undefined) throw new Error(`undefined template variable ${whole} in: ${expr}`);
    return value;
  });
}

/** Every target expression of the dashboard, variables substituted, with the title of its panel. */
export function dashboardQueries(dashboard: Dashboard = readDashboard()): { panel: string; expr: string }[] {
  const variables = dashboard.templating?.list ?? [];
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      if (typeof target.expr !== 'string') throw new Error(`panel ${String(panel.title)}: a target without expr`);
      return { panel: String(panel.title), expr: substituteVariables(target.expr, variables) };
    }),
  );
}

/** The query of every query variable (`label_values(…)`), variables substituted. */
export function variableQueries(dashboard: Dashboard = readDashboard()): { variable: string; query: string }[] {
  const variables = dashboard.templating?.list ?? [];
  return variables
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const query =
        typeof variable.query === 'string'
          ? variable.query
          : (variable.query as { query?: unknown } | undefined)?.query;
      if (typeof query !== 'string') throw new Error(`variable ${String(variable.name)}: no query`);
      return { variable: String(variable.name), query: substituteVariables(query, variables) };
    });
}
