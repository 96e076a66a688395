import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS, GROUPS, PROCESSORS, TOPICS, deadLetterTopic } from './topics.js';

describe('topics', () => {
  it('keeps the names of the original system', () => {
    expect(TOPICS).toStrictEqual({ orders: 'orders', registry: 'registry' });
    expect(GROUPS).toStrictEqual({ queryProcessor: 'query-processor', registryProcessor: 'registry-processor' });
    expect(PROCESSORS).toEqual(['order-processor', 'query-processor', 'registry-processor']);
    expect(DEFAULT_PARTITIONS).toBe(3);
  });

  it('names the dead-letter topic after its source', () => {
    expect(deadLetterTopic(TOPICS.orders)).toBe('orders.dlq');
    expect(deadLetterTopic(TOPICS.registry)).toBe('registry.dlq');
  });
});
