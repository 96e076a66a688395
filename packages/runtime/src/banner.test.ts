import { describe, expect, it } from 'vitest';
import { bannerLines, httpUrl } from './banner.js';
import { loadConfig } from './config.js';

describe('bannerLines', () => {
  it('lists the dashboard, the API docs, the metrics and the data directory, aligned', () => {
    const config = loadConfig({ DATA_DIR: '/var/km' });
    expect(
      bannerLines('kafka-monitor', config, {
        monitor: 'http://127.0.0.1:3000/',
        metrics: 'http://127.0.0.1:3000/metrics',
      }),
    ).toEqual([
      '',
      'kafka-monitor is running: order-processor, query-processor, registry-processor, monitor',
      '  Dashboard  http://127.0.0.1:3000/',
      '  API docs   http://127.0.0.1:3000/docs',
      '  Metrics    http://127.0.0.1:3000/metrics',
      '  Data       /var/km',
      'Ctrl+C stops it. Log lines follow (LOG_FORMAT=json for JSON lines).',
      '',
    ]);
  });

  it('names Kafka and Cassandra instead of a data directory neither uses, and leaves out what does not run', () => {
    const config = loadConfig({
      BUS: 'kafka',
      STORE: 'cassandra',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      CASSANDRA_CONTACT_POINTS: 'c1,c2:9043',
      CASSANDRA_PORT: '9142',
      SERVICES: 'query-processor',
    });
    const lines = bannerLines('query-processor', config, {
      monitor: undefined,
      metrics: 'http://127.0.0.1:9464/metrics',
    });
    expect(lines.slice(1, -2)).toEqual([
      'query-processor is running: query-processor',
      '  Metrics    http://127.0.0.1:9464/metrics',
      '  Kafka      k1:9092,k2:9092',
      '  Cassandra  c1:9142,c2:9043',
    ]);
  });
});

describe('httpUrl', () => {
  it('gives an address a browser can open', () => {
    expect(httpUrl('127.0.0.1', 3000)).toBe('http://127.0.0.1:3000/');
    expect(httpUrl('0.0.0.0', 3000, '/metrics')).toBe('http://localhost:3000/metrics');
    expect(httpUrl('::', 80)).toBe('http://localhost:80/');
    expect(httpUrl('::1', 8080)).toBe('http://[::1]:8080/');
  });
});
