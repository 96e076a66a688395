/**
 * The HTTP request metrics, `http_requests_total` and `http_request_duration_seconds`, counted in plain
 * numbers per route and written in Prometheus' text format only when scraped. Every answer is
 * observed, so this is on the path of every request: prom-client turns each observation's labels into
 * a key string and looks it up, which cost several microseconds per request, while the families here
 * are the same lines a scrape read before.
 */
export interface RequestMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
  /** Both families in the text exposition format, `# HELP` and `# TYPE` lines included. */
  exposition(): string;
}

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';

/** Upper bounds, in seconds, of the duration histogram's buckets (the last, +Inf, is implied). */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

interface RouteSeries {
  readonly method: string;
  readonly route: string;
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  readonly buckets: number[];
  sum: number;
  count: number;
  readonly byStatus: Map<number, number>;
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function createRequestMetrics(bounds: readonly number[] = REQUEST_DURATION_BUCKETS): RequestMetrics {
  // method → route → series: two lookups of strings that are the same objects request after request.
  const series = new Map<string, Map<string, RouteSeries>>();

  function seriesFor(method: string, route: string): RouteSeries {
    let byRoute = series.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      series.set(method, byRoute);
    }
    let entry = byRoute.get(route);
    if (entry === undefined) {
      entry = {
        method,
        route,
        buckets: new Array<number>(bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
        byStatus: new Map(),
      };
      byRoute.set(route, entry);
    }
    return entry;
  }

  return {
    observe(method, route, status, seconds) {
      const entry = seriesFor(method, route);
      let slot = 0;
      while (slot < bounds.length && seconds > (bounds[slot] ?? Infinity)) slot += 1;
      entry.buckets[slot] = (entry.buckets[slot] ?? 0) + 1;
      entry.sum += seconds;
      entry.count += 1;
      entry.byStatus.set(status, (entry.byStatus.get(status) ?? 0) + 1);
    },
    exposition() {
      const all = [...series.values()].flatMap((byRoute) => [...byRoute.values()]);
      const requests = [
        `# HELP ${REQUESTS} HTTP requests answered, by method, route pattern and status code.`,
        `# TYPE ${REQUESTS} counter`,
      ];
      const durations = [`# HELP ${DURATION} Time to answer HTTP requests.`, `# TYPE ${DURATION} histogram`];
      for (const entry of all) {
        const labels = `method="${labelValue(entry.method)}",route="${labelValue(entry.route)}"`;
        for (const [status, count] of entry.byStatus)
          requests.push(`${REQUESTS}{${labels},status="${status}"} ${count}`);
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += entry.buckets[i] ?? 0;
          durations.push(`${DURATION}_bucket{le="${numberText(bound)}",${labels}} ${cumulative}`);
        });
        durations.push(`${DURATION}_bucket{le="+Inf",${labels}} ${entry.count}`);
        durations.push(`${DURATION}_sum{${labels}} ${numberText(entry.sum)}`);
        durations.push(`${DURATION}_count{${labels}} ${entry.count}`);
      }
      return `${requests.join('\n')}\n\n${durations.join('\n')}\n`;
    },
  };
}
