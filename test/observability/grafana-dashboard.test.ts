import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blockOf, parseBlockYaml, type YamlValue } from './block-yaml.js';
import {
  DASHBOARD_FILE,
  allPanels,
  dashboardQueries,
  documentedSeries,
  readDashboard,
  variableQueries,
  type Dashboard,
  type Panel,
} from './catalog.js';
import {
  documentedName,
  groupingLabels,
  metricNames,
  selectorLabels,
  undocumentedNames,
  variableQueryMetricNames,
} from './promql.js';

const root = new URL('../../', import.meta.url);
const repoFile = (path: string) => fileURLToPath(new URL(path, root));
const readRepoFile = (path: string) => readFileSync(repoFile(path), 'utf8');

const dashboard = readDashboard();
const catalog = documentedSeries();
const panels = allPanels(dashboard);
const contentPanels = panels.filter((panel) => panel.type !== 'row');
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

type Rect = { x: number; y: number; w: number; h: number };
function rect(panel: Panel): Rect {
  const { x, y, w, h } = panel.gridPos ?? {};
  if (typeof x !== 'number' || typeof y !== 'number' || typeof w !== 'number' || typeof h !== 'number') {
    throw new Error(`panel ${String(panel.title)}: gridPos needs numeric x, y, w and h`);
  }
  return { x, y, w, h };
}
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** A plain mapping of parsed YAML, or a clear failure naming what was expected. */
function mapping(value: YamlValue | undefined, what: string): { [key: string]: YamlValue } {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping`);
  }
  return value;
}
function text(value: YamlValue | undefined, what: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${what} is not a scalar`);
  return String(value);
}
function list(value: YamlValue | undefined, what: string): YamlValue[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

/** The undocumented metric names of every dashboard query and variable query. */
function undocumentedInDashboard(board: Dashboard): string[] {
  return [
    ...dashboardQueries(board).flatMap(({ panel, expr }) =>
      undocumentedNames(expr, catalog).map((name) => `${panel}: ${name}`),
    ),
    ...variableQueries(board).flatMap(({ variable, query }) =>
      variableQueryMetricNames(query)
        .filter((name) => documentedName(name, catalog) === undefined)
        .map((name) => `$${variable}: ${name}`),
    ),
  ];
}

describe('Grafana dashboard (deploy/grafana/kafka-monitor.json)', () => {
  it('is a dashboard of the current classic schema with a uid and a title', () => {
    expect(dashboard.uid).toBe('kafka-monitor');
    expect(dashboard.title).toBe('Kafka Monitor');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(42);
    expect(contentPanels.length).toBeGreaterThan(10);
  });

  it('gives every panel a unique id and a place within 24 columns that overlaps no other panel', () => {
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const rects = panels.map(rect);
    for (const [i, r] of rects.entries()) {
      expect(r.x >= 0 && r.y >= 0 && r.w >= 1 && r.h >= 1 && r.x + r.w <= 24, JSON.stringify(panels[i]?.gridPos)).toBe(
        true,
      );
      for (const [j, other] of rects.entries()) {
        if (j > i) expect(overlap(r, other), `${String(panels[i]?.title)} / ${String(panels[j]?.title)}`).toBe(false);
      }
    }
  });

  it('queries the ${datasource} variable from every panel and target, each target with a refId and an expr', () => {
    for (const panel of contentPanels) {
      expect(panel.datasource, String(panel.title)).toEqual(DATASOURCE);
      const targets = panel.targets ?? [];
      expect(targets.length, String(panel.title)).toBeGreaterThan(0);
      const refIds = targets.map((target) => target.refId);
      expect(new Set(refIds).size, String(panel.title)).toBe(refIds.length);
      for (const target of targets) {
        expect(typeof target.refId === 'string' && target.refId !== '', String(panel.title)).toBe(true);
        expect(typeof target.expr === 'string' && target.expr.trim() !== '', String(panel.title)).toBe(true);
        if (target.datasource !== undefined) expect(target.datasource, String(panel.title)).toEqual(DATASOURCE);
      }
    }
  });

  it('defines a Prometheus data source variable and the variables its queries use', () => {
    const variables = dashboard.templating?.list ?? [];
    expect(variables.find((variable) => variable.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    for (const variable of variables.filter((v) => v.type === 'query')) {
      expect(variable.datasource, String(variable.name)).toEqual(DATASOURCE);
    }
    // Substitution throws on a variable that is not defined.
    expect(dashboardQueries(dashboard).length).toBeGreaterThan(contentPanels.length);
    expect(variableQueries(dashboard).map((v) => v.variable)).toEqual(['processor', 'group']);
    const undefinedVariable = structuredClone(dashboard) as { panels: { targets?: { expr: string }[] }[] };
    const target = undefinedVariable.panels.find((panel) => panel.targets !== undefined)?.targets?.[0];
    if (target === undefined) throw new Error('no target');
    target.expr = 'kafka_monitor_orders{x=~"$cluster"}';
    expect(() => dashboardQueries(undefinedVariable as Dashboard)).toThrow(/\$cluster/);
  });

  it('reads only series documented in docs/metrics.md', () => {
    expect(undocumentedInDashboard(dashboard)).toEqual([]);
  });

  it('matches and groups only on documented labels (and the target labels job and instance, and le of buckets)', () => {
    const problems = dashboardQueries(dashboard).flatMap(({ panel, expr }) => {
      const documented = (name: string) => catalog.get(documentedName(name, catalog) ?? '')?.labels ?? [];
      const matchers = selectorLabels(expr).flatMap(({ metric, labels }) =>
        labels
          .filter((label) => !documented(metric).includes(label) && !['job', 'instance'].includes(label))
          .map((label) => `${panel}: ${metric}{${label}}`),
      );
      const known = new Set(['job', 'instance', 'le', ...metricNames(expr).flatMap(documented)]);
      const grouping = groupingLabels(expr)
        .filter((label) => !known.has(label))
        .map((label) => `${panel}: by (${label})`);
      return [...matchers, ...grouping];
    });
    expect(problems).toEqual([]);
  });

  it('uses built-in panel types and legends naming labels its query keeps', () => {
    const types = new Set(['row', 'timeseries', 'stat', 'state-timeline', 'table']);
    for (const panel of panels) expect(types.has(String(panel.type)), String(panel.title)).toBe(true);
    for (const panel of contentPanels) {
      for (const target of panel.targets ?? []) {
        const legend = (target as { legendFormat?: unknown }).legendFormat;
        if (typeof legend !== 'string') continue;
        for (const [, label] of legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
          expect(groupingLabels(String(target.expr)), `${String(panel.title)}: {{${label}}}`).toContain(label);
        }
      }
    }
  });

  it('would be caught reading an undocumented series (the removed kafka_consumergroup_lag)', () => {
    const text = readFileSync(DASHBOARD_FILE, 'utf8').replaceAll(
      'kafka_consumergroup_group_sum_lag',
      'kafka_consumergroup_lag',
    );
    expect(undocumentedInDashboard(JSON.parse(text) as Dashboard)).toContain(
      'Lag (messages) by group: kafka_consumergroup_lag',
    );
    expect(undocumentedInDashboard(JSON.parse(text) as Dashboard)).toContain('$group: kafka_consumergroup_lag');
  });

  it('covers throughput, lag, latency percentiles, dead letters, HTTP, processor status, instances and build info', () => {
    const exprs = dashboardQueries(dashboard).map(({ expr }) => expr);
    const uses = (pattern: RegExp) => exprs.some((expr) => pattern.test(expr));
    expect(uses(/rate\(kafka_monitor_end_to_end_latency_seconds_count\b/)).toBe(true);
    expect(uses(/\bkafka_monitor_registered_orders\b/)).toBe(true);
    for (const lag of ['lag', 'lag_seconds', 'max_lag', 'max_lag_seconds', 'sum_lag']) {
      expect(uses(new RegExp(`\\bkafka_consumergroup_group_${lag}\\{`)), lag).toBe(true);
    }
    for (const quantile of ['0.5', '0.95', '0.99']) {
      expect(
        uses(new RegExp(`histogram_quantile\\(${quantile}, .*kafka_monitor_end_to_end_latency_seconds_bucket`)),
      ).toBe(true);
    }
    expect(uses(/kafka_monitor_dead_letters\{status="pending"\}/)).toBe(true);
    expect(uses(/rate\(kafka_monitor_dead_letters_received_total\b/)).toBe(true);
    expect(uses(/http_requests_total\{status=~"5\.\."\}/)).toBe(true);
    expect(uses(/histogram_quantile\(0\.99, .*http_request_duration_seconds_bucket/)).toBe(true);
    expect(uses(/\bkafka_monitor_processor_status\b/)).toBe(true);
    expect(uses(/\bkafka_monitor_processor_instances\b/)).toBe(true);
    expect(uses(/\bkafka_monitor_build_info\b/)).toBe(true);
  });

  it('aggregates histogram buckets by le, and never sums a cluster-wide series across monitor replicas', () => {
    const exprs = dashboardQueries(dashboard).map(({ expr }) => expr);
    for (const expr of exprs.filter((e) => e.includes('_bucket'))) {
      expect(expr).toMatch(/^histogram_quantile\(0\.\d+, sum by \(le\b[^)]*\) \(rate\(\w+_bucket\{?/);
    }
    // Cluster-wide series (lag, store figures, dead letters) are read by every monitor replica alike:
    // directly inside sum(…) they would count once per replica.
    const clusterWide =
      /^kafka_(consumergroup|partition)_|^kafka_monitor_(processor_status|processor_instances|messages_processed|processing_errors|orders|registered_orders|dead_letters)/;
    for (const expr of exprs) {
      for (const match of expr.matchAll(/\bsum(?: by \([^)]*\))? ?\((?:rate\()?([a-z_:]+)/g)) {
        expect(clusterWide.test(match[1] ?? ''), expr).toBe(false);
      }
    }
  });
});

describe('Grafana provisioning and the compose profile', () => {
  const compose = readRepoFile('docker-compose.yml');
  const service = (name: string) => mapping(parseBlockYaml(blockOf(compose, name, 2)), `service ${name}`);
  const grafana = service('grafana');
  const prometheus = service('prometheus');
  /** The bind mounts of a service: container path by host path (relative to the repository). */
  const mounts = (svc: { [key: string]: YamlValue }) =>
    new Map(
      list(svc.volumes, 'volumes')
        .map((volume) => text(volume, 'volume').split(':'))
        .filter(([source]) => source?.startsWith('./'))
        .map(([source, target]) => [source?.slice(2) ?? '', target ?? '']),
    );

  it('runs Prometheus and Grafana under the observability profile, pinned, on 127.0.0.1 only', () => {
    for (const svc of [grafana, prometheus]) {
      expect(svc.profiles).toEqual(['observability']);
      expect(text(svc.image, 'image')).toMatch(/^(prom\/prometheus:v3|grafana\/grafana:1\d)\.\d+\.\d+$/);
      for (const port of list(svc.ports, 'ports')) expect(text(port, 'port')).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('mounts the provisioning files, and the dashboard where the file provider looks for it', () => {
    const grafanaMounts = mounts(grafana);
    const provisioning = grafanaMounts.get('deploy/grafana/provisioning');
    expect(provisioning).toBe('/etc/grafana/provisioning');

    const providers = list(
      mapping(parseBlockYaml(readRepoFile('deploy/grafana/provisioning/dashboards/kafka-monitor.yml')), 'dashboards')
        .providers,
      'providers',
    ).map((p) => mapping(p, 'provider'));
    expect(providers).toHaveLength(1);
    const provider = providers[0] ?? {};
    expect(provider.type).toBe('file');
    const dashboardTarget = grafanaMounts.get('deploy/grafana/kafka-monitor.json');
    expect(dashboardTarget).toBe(`${text(mapping(provider.options, 'options').path, 'path')}/kafka-monitor.json`);
    expect(mapping(grafana.environment, 'environment').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboardTarget);

    for (const source of grafanaMounts.keys()) expect(existsSync(repoFile(source)), source).toBe(true);
  });

  it("makes the profile's Prometheus the default data source, which the dashboard's variable picks", () => {
    const datasources = list(
      mapping(parseBlockYaml(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')), 'datasources')
        .datasources,
      'datasources',
    ).map((d) => mapping(d, 'datasource'));
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(list(prometheus.ports, 'ports')).toContain('127.0.0.1:9090:9090');
  });

  it('mounts deploy/prometheus at /etc/prometheus and scrapes every service of the stack on its metrics port', () => {
    expect(mounts(prometheus).get('deploy/prometheus')).toBe('/etc/prometheus');
    expect(list(prometheus.command, 'command')).toContain('--config.file=/etc/prometheus/prometheus.yml');

    const config = mapping(parseBlockYaml(readRepoFile('deploy/prometheus/prometheus.yml')), 'prometheus.yml');
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const jobs = new Map(
      list(config.scrape_configs, 'scrape_configs').map((job) => {
        const { job_name: jobName, dns_sd_configs: sd } = mapping(job, 'scrape config');
        const name = text(jobName, 'job_name');
        const [discovery] = list(sd, `${name} dns_sd_configs`).map((d) => mapping(d, 'dns_sd_config'));
        return [name, { names: discovery?.names, port: discovery?.port }];
      }),
    );
    // The application's services: those built from the shared `x-app` block, the one-shot setup aside.
    const appServices = [...compose.matchAll(/^ {2}([a-z][a-z0-9-]*):\n((?: {4}.*\n|\n)*)/gm)]
      .filter(([, , body]) => body?.includes('<<: *app') === true && !body.includes("restart: 'no'"))
      .map(([, name]) => name);
    expect(appServices.sort()).toEqual(['monitor', 'order-processor', 'query-processor', 'registry-processor']);
    expect([...jobs.keys()].sort()).toEqual(appServices);
    for (const [name, { names, port }] of jobs) {
      expect(names, name).toEqual([name]);
      // The monitor serves /metrics on its API port; every other service on METRICS_PORT.
      expect(port, name).toBe(name === 'monitor' ? 3000 : 9464);
    }
    const appEnvironment = compose.slice(compose.indexOf('x-app: &app'), compose.indexOf('\nservices:'));
    expect(appEnvironment).toMatch(/^ {4}METRICS_PORT: '9464'$/m);
    // Every service listens on the container's interfaces (the image's HOST), not only its loopback,
    // or Prometheus in its own container could not reach it.
    expect(readRepoFile('Dockerfile')).toMatch(/^ENV .*\bHOST=0\.0\.0\.0\b/m);
    expect(compose).not.toMatch(/^ +HOST: '?(127\.|localhost)/m);
  });
});
