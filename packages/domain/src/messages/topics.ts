/** Names shared with the original system; changing one breaks wire compatibility. */
export const TOPICS = { orders: 'orders', registry: 'registry' } as const;
export const GROUPS = { queryProcessor: 'query-processor', registryProcessor: 'registry-processor' } as const;
export const PROCESSORS = ['order-processor', 'query-processor', 'registry-processor'] as const;
export type ProcessorName = (typeof PROCESSORS)[number];

export const DEFAULT_PARTITIONS = 3;

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
