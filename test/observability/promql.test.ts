import { describe, expect, it } from 'vitest';
import { parseSeriesTables, substituteVariables } from './catalog.js';
import {
  documentedName,
  groupingLabels,
  metricNames,
  selectorLabels,
  undocumentedNames,
  variableQueryMetricNames,
} from './promql.js';

const catalog = parseSeriesTables(`
| series | type | labels | meaning |
| ------ | ---- | ------ | ------- |
| \`requests_total\` | counter | method, status | requests |
| \`queue_depth\` | gauge | (none) | depth |
| \`duration_seconds\` | histogram | route | time |

### Reason classes

| reason_class | the message |
| ------------ | ----------- |
| \`not-utf8\` | is not text |
`);

describe('metricNames', () => {
  it('finds the selected metrics and none of the functions, aggregations or label names', () => {
    expect(
      metricNames(
        'sum by (processor, le) (rate(requests_total{processor=~".*", status!="200"}[5m])) / sum(queue_depth)',
      ),
    ).toEqual(['requests_total', 'queue_depth']);
  });

  it('skips the label lists of without, on, ignoring and group_left, wherever the clause stands', () => {
    expect(metricNames('max without (instance) (a) * on (instance) group_left (version, bus) b')).toEqual(['a', 'b']);
    expect(metricNames('sum(a) by (job) + ignoring (le) group_right c')).toEqual(['a', 'c']);
  });

  it('skips strings, numbers, durations, offsets and keywords', () => {
    expect(
      metricNames(
        'label_replace(a, "dst", "$1 not_a_metric", "src", "(.*)") > bool 1e3 and b offset 5m or histogram_quantile(0.99, c[1h:30s]) unless vector(0)',
      ),
    ).toEqual(['a', 'b', 'c']);
  });

  it('reads a multi-line expression and metric names with colons', () => {
    expect(metricNames('max by (p) (\n  job:requests:rate5m * 1\n  or queue_depth * 2\n)')).toEqual([
      'job:requests:rate5m',
      'queue_depth',
    ]);
  });

  it('reads the selector of a label_values variable query, not its label', () => {
    expect(variableQueryMetricNames('label_values(queue_depth{job="x"}, processor)')).toEqual(['queue_depth']);
    expect(() => variableQueryMetricNames('metrics(.*)')).toThrow(/unsupported/);
  });
});

describe('selectorLabels and groupingLabels', () => {
  it('name the labels each selector matches on and the labels of by and without clauses', () => {
    const expr =
      'sum by (le, route) (rate(duration_seconds_bucket{route=~"/api/{x}", method!="GET"}[1m])) / max without (instance) (queue_depth{ status = "a,b=c" })';
    expect(selectorLabels(expr)).toEqual([
      { metric: 'duration_seconds_bucket', labels: ['route', 'method'] },
      { metric: 'queue_depth', labels: ['status'] },
    ]);
    expect(groupingLabels(expr)).toEqual(['le', 'route', 'instance']);
  });
});

describe('undocumentedNames', () => {
  it('accepts documented series and the _bucket, _sum and _count of a documented histogram', () => {
    expect(
      undocumentedNames(
        'histogram_quantile(0.5, sum by (le) (rate(duration_seconds_bucket[1m]))) + rate(duration_seconds_sum[1m]) / rate(duration_seconds_count[1m]) + requests_total',
        catalog,
      ),
    ).toEqual([]);
    expect(documentedName('duration_seconds_bucket', catalog)).toBe('duration_seconds');
  });

  it('catches a name that is not documented, and histogram suffixes on a series that is no histogram', () => {
    expect(undocumentedNames('sum(rate(requests_total[1m])) + kafka_consumergroup_lag', catalog)).toEqual([
      'kafka_consumergroup_lag',
    ]);
    expect(undocumentedNames('queue_depth_count + requests_total_bucket', catalog)).toEqual([
      'queue_depth_count',
      'requests_total_bucket',
    ]);
  });
});

describe('parseSeriesTables', () => {
  it('takes only the tables headed "series", with type and labels', () => {
    expect([...catalog.keys()]).toEqual(['requests_total', 'queue_depth', 'duration_seconds']);
    expect(catalog.get('requests_total')).toEqual({ type: 'counter', labels: ['method', 'status'] });
    expect(catalog.get('queue_depth')).toEqual({ type: 'gauge', labels: [] });
  });

  it('rejects a row without a name in backticks, an unknown type and a series documented twice', () => {
    const table = (row: string) => `| series | type | labels |\n| - | - | - |\n${row}\n`;
    expect(() => parseSeriesTables(table('| requests_total | counter | x |'))).toThrow(/backticks/);
    expect(() => parseSeriesTables(table('| `a` | countr | x |'))).toThrow(/unknown type/);
    expect(() => parseSeriesTables(table('| `a` | gauge | x |\n| `a` | gauge | x |'))).toThrow(/twice/);
  });
});

describe('substituteVariables', () => {
  const variables = [{ name: 'datasource' }, { name: 'processor', allValue: '.*' }, { name: 'group' }];

  it('replaces template variables in every syntax by their all-value and the intervals by 1m', () => {
    expect(
      substituteVariables(
        'rate(a{processor=~"$processor", group=~"${group:regex}", x=~"[[processor]]"}[$__rate_interval])',
        variables,
      ),
    ).toBe('rate(a{processor=~".*", group=~".*", x=~".*"}[1m])');
  });

  it('throws on a variable the dashboard does not define, and leaves regex group references alone', () => {
    expect(() => substituteVariables('a{x=~"$cluster"}', variables)).toThrow(/undefined template variable \$cluster/);
    expect(substituteVariables('label_replace(a, "d", "${1}x", "s", "(.)")', variables)).toContain('${1}x');
  });
});
