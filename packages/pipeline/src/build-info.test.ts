import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentBuild } from './build-info.js';
import { createProcessMetrics } from './process-metrics.js';

const rootVersion = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('currentBuild', () => {
  it("names the root package's version, this Node.js and the configured bus and store", () => {
    expect(currentBuild({ bus: 'kafka', store: 'cassandra' })).toEqual({
      version: rootVersion,
      // Run from sources (vitest, tsx) nothing injected a commit; the bundles of scripts/build.mjs carry one.
      revision: 'unknown',
      nodejsVersion: process.version,
      bus: 'kafka',
      store: 'cassandra',
    });
  });

  it('is exported by every process registry as kafka_monitor_build_info 1', async () => {
    const text = await createProcessMetrics(currentBuild({ bus: 'embedded', store: 'sqlite' })).exposition();
    expect(text).toContain('# TYPE kafka_monitor_build_info gauge');
    expect(text).toContain(
      `kafka_monitor_build_info{version="${rootVersion}",revision="unknown",nodejs_version="${process.version}",bus="embedded",store="sqlite"} 1`,
    );
  });
});
