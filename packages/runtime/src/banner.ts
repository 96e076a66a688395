import type { Config } from './config.js';

/** Where a process can be reached, as the banner lists it. */
export interface BannerAddresses {
  /** The monitor's base URL (ends with `/`), when this process runs it. */
  readonly monitor: string | undefined;
  /** The URL of `/metrics`: on the monitor's port, or on METRICS_PORT's server. */
  readonly metrics: string | undefined;
}

/** The label column is padded to the longest label, so the addresses line up. */
function rows(entries: readonly (readonly [string, string | undefined])[]): string[] {
  const shown = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

/**
 * The few lines a person starting the system on a terminal needs: where the dashboard, the API docs and
 * the metrics are, where the data goes, and how to stop. No secret is in `Config` fields read here.
 */
export function bannerLines(name: string, config: Config, at: BannerAddresses): string[] {
  const usesDataDir = config.bus === 'embedded' || config.store === 'sqlite';
  return [
    '',
    `${name} is running: ${config.services.join(', ')}`,
    ...rows([
      ['Dashboard', at.monitor],
      ['API docs', at.monitor === undefined ? undefined : `${at.monitor}docs`],
      ['Metrics', at.metrics],
      ['Data', usesDataDir ? config.dataDir : undefined],
      ['Kafka', config.bus === 'kafka' ? config.kafkaBrokers.join(',') : undefined],
      ['Cassandra', config.store === 'cassandra' ? cassandraAddresses(config) : undefined],
    ]),
    'Ctrl+C stops it. Log lines follow (LOG_FORMAT=json for JSON lines).',
    '',
  ];
}

/** The contact points as the store reaches them: CASSANDRA_PORT applies to those without a port of their own. */
function cassandraAddresses(config: Config): string {
  const { contactPoints, port } = config.cassandra;
  return contactPoints.map((host) => (host.includes(':') ? host : `${host}:${port}`)).join(',');
}

/** A URL a browser can open for a server bound to `host`: a wildcard address is reached on localhost. */
export function httpUrl(host: string, port: number, path = '/'): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
  const bracketed = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}${path}`;
}
