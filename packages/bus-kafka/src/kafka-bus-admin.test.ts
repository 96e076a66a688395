import { describe, expect, it } from 'vitest';
import { toConfigEntries } from './kafka-bus-admin.js';

const entry = (
  configName: string,
  configValue: string,
  extra: { isDefault?: boolean; isSensitive?: boolean } = {},
) => ({
  configName,
  configValue,
  isDefault: extra.isDefault ?? true,
  isSensitive: extra.isSensitive ?? false,
  readOnly: false,
  configSource: 5,
  configSynonyms: [],
});

describe('toConfigEntries', () => {
  it('Given DescribeConfigs entries, then sorted by name, one per name, sensitive values hidden', () => {
    expect(
      toConfigEntries([
        entry('retention.ms', '604800000'),
        entry('cleanup.policy', 'delete', { isDefault: false }),
        entry('sasl.jaas.config', 'secret', { isSensitive: true }),
        entry('cleanup.policy', 'compact'),
      ]),
    ).toEqual([
      { name: 'cleanup.policy', value: 'delete', isDefault: false },
      { name: 'retention.ms', value: '604800000', isDefault: true },
      { name: 'sasl.jaas.config', value: null, isDefault: true },
    ]);
  });
});
