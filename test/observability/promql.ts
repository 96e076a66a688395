/**
 * The metric names a PromQL expression reads, found without a PromQL parser: enough for the queries
 * this repository writes (dashboards, alert rules) to be checked against docs/metrics.md.
 *
 * Skipped: string literals (label values, label_replace arguments), label matchers inside `{}`,
 * ranges and subqueries inside `[]`, numbers and durations, function and aggregation names (an
 * identifier followed by `(`, or by `by`/`without`), the label lists after by/without/on/ignoring/group_left/group_right,
 * and the keywords below.
 */

const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

/** Strings and `{…}` / `[…]` contents blanked out, so what is left is names, numbers and operators. */
function withoutLiteralsAndSelectors(expr: string): string {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ');
  return noStrings.replace(/\{[^{}]*\}/g, ' ').replace(/\[[^[\]]*\]/g, ' ');
}

/** The distinct metric names `expr` selects, in order of first appearance. */
export function metricNames(expr: string): string[] {
  const text = withoutLiteralsAndSelectors(expr);
  const token = /(\d*\.?\d+(?:[eE][+-]?\d+)?[a-zA-Z]*)|([a-zA-Z_:][a-zA-Z0-9_:]*)|(\()|(\))|(\S)/g;
  const names: string[] = [];
  // Depth of the label list being skipped (after `by (`), 0 outside one.
  let skipDepth = 0;
  let pendingLabelList = false;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    const [, , identifier, open, close] = match;
    if (skipDepth > 0) {
      if (open !== undefined) skipDepth += 1;
      if (close !== undefined) skipDepth -= 1;
      continue;
    }
    if (open !== undefined) {
      if (pendingLabelList) skipDepth = 1;
      pendingLabelList = false;
      continue;
    }
    pendingLabelList = false;
    if (identifier === undefined) continue;
    const word = identifier.toLowerCase();
    if (LABEL_LIST_KEYWORDS.has(word)) {
      pendingLabelList = true;
      continue;
    }
    if (KEYWORDS.has(word)) continue;
    const after = text.slice(token.lastIndex).trimStart();
    if (after.startsWith('(')) continue; // a function or an aggregation
    if (/^(?:by|without)\b/i.test(after)) continue; // an aggregation, `sum by (…) (…)`
    if (!names.includes(identifier)) names.push(identifier);
  }
  return names;
}

/** The metric a Grafana Prometheus variable query reads: `label_values(<selector>, label)`, `query_result(<expr>)`, `metrics(…)` none. */
export function variableQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*(.*?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(query);
  if (labelValues?.[1] !== undefined) return metricNames(labelValues[1]);
  const queryResult = /^\s*query_result\(\s*(.*)\)\s*$/s.exec(query);
  if (queryResult?.[1] !== undefined) return metricNames(queryResult[1]);
  throw new Error(`unsupported variable query: ${query}`);
}

export interface DocumentedSeries {
  readonly type: string;
  readonly labels: readonly string[];
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** The documented series a metric name belongs to: itself, or a histogram's `_bucket`/`_sum`/`_count`. */
export function documentedName(name: string, catalog: ReadonlyMap<string, DocumentedSeries>): string | undefined {
  if (catalog.has(name)) return name;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    if (catalog.get(base)?.type === 'histogram') return base;
  }
  return undefined;
}

/** The metric names of `expr` that are not series of the catalog. */
export function undocumentedNames(expr: string, catalog: ReadonlyMap<string, DocumentedSeries>): string[] {
  return metricNames(expr).filter((name) => documentedName(name, catalog) === undefined);
}

/** Each selector with label matchers in `expr`: the metric name and the label names it matches on. */
export function selectorLabels(expr: string): { metric: string; labels: string[] }[] {
  const text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^{}]*)\}/g)].map(([, metric, matchers]) => ({
    metric: metric ?? '',
    labels: [...(matchers ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
      ([, label]) => label ?? '',
    ),
  }));
}

/** The label names of every `by (…)` and `without (…)` clause of `expr`. */
export function groupingLabels(expr: string): string[] {
  const text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...text.matchAll(/\b(?:by|without)\s*\(([^()]*)\)/g)].flatMap(([, list]) =>
    (list ?? '')
      .split(',')
      .map((label) => label.trim())
      .filter((label) => label !== ''),
  );
}
