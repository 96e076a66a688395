import { describe, expect, it } from 'vitest';
import { blockOf, parseBlockYaml } from './block-yaml.js';

describe('parseBlockYaml', () => {
  it('reads mappings, sequences of scalars and of mappings, quoted and flow values, and comments', () => {
    const source = [
      '# a comment',
      'global:',
      '  scrape_interval: 15s # trailing comment',
      'rule_files:',
      '  - /etc/prometheus/alerts.yml',
      'scrape_configs:',
      '  - job_name: monitor',
      '    dns_sd_configs:',
      '      - names: [monitor, "other"]',
      '        port: 3000',
      '  - job_name: "query-processor"',
      'url: http://prometheus:9090',
      "quoted: 'it''s #not a comment'",
      'flags:',
      '- true',
      '- null',
      'empty:',
    ].join('\n');
    expect(parseBlockYaml(source)).toEqual({
      global: { scrape_interval: '15s' },
      rule_files: ['/etc/prometheus/alerts.yml'],
      scrape_configs: [
        { job_name: 'monitor', dns_sd_configs: [{ names: ['monitor', 'other'], port: 3000 }] },
        { job_name: 'query-processor' },
      ],
      url: 'http://prometheus:9090',
      quoted: "it's #not a comment",
      flags: [true, null],
      empty: null,
    });
  });

  it('throws on YAML it does not know instead of misreading it', () => {
    expect(() => parseBlockYaml('a: &anchor\n  b: 1')).toThrow(/unsupported/);
    expect(() => parseBlockYaml('a:\n  <<: *app')).toThrow(/expected "key: value"/);
    expect(() => parseBlockYaml('a: |\n  text')).toThrow(/unsupported/);
    expect(() => parseBlockYaml('a: {b: 1}')).toThrow(/unsupported/);
    expect(() => parseBlockYaml('a: 1\na: 2')).toThrow(/duplicate key a/);
    expect(() => parseBlockYaml('a:\n    b: 1\n  c: 2')).toThrow(/indentation/);
    expect(() => parseBlockYaml("a: 'open")).toThrow(/unterminated/);
  });
});

describe('blockOf', () => {
  it('cuts one entry out of a larger file, up to the next entry at its level', () => {
    const compose = [
      'services:',
      '  a:',
      '    <<: *app',
      '  b:',
      '    image: x',
      '',
      '    ports: [1]',
      'volumes:',
    ].join('\n');
    expect(parseBlockYaml(blockOf(compose, 'b', 2))).toEqual({ image: 'x', ports: [1] });
    expect(() => blockOf(compose, 'c', 2)).toThrow(/no "c:"/);
  });
});
