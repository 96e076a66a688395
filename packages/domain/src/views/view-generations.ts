import { DependencyError } from '../errors.js';
import type { ViewGenerationStore, ViewStore } from '../ports/stores.js';

/**
 * The views as the API and the live query processor see them, over generations of view tables:
 * reads go to the generation the pointer names for reads, applies to the one it names for writes.
 *
 * While a rebuild switches (`reads` ≠ `writes`), the new generation may still be behind the live
 * processor. A batch starting past what that generation has applied for its partition would leave a
 * gap that positions could never fill, so it is refused (retryable): the consumer gets it again after
 * a backoff, by when the rebuild has applied the messages before it. Batches at or below the
 * generation's position apply as always, their already applied entries skipped.
 */
export function routeViewGenerations(generations: ViewGenerationStore): ViewStore {
  const reading = async (): Promise<ViewStore> => generations.generation((await generations.pointer()).reads);
  return {
    async applyOrders(source, entries, now) {
      const pointer = await generations.pointer({ fresh: true });
      const first = entries[0]?.offset;
      if (pointer.reads !== pointer.writes && first !== undefined) {
        const next = await generations.position(pointer.writes, source);
        if (first > next) {
          throw new DependencyError(
            'store',
            `views generation ${pointer.writes} is being rebuilt and has applied ${source.topic}/${source.partition} ` +
              `up to offset ${next}, before this batch (offset ${first}); retried once the rebuild caught up`,
            { retryable: true },
          );
        }
      }
      return generations.generation(pointer.writes).applyOrders(source, entries, now);
    },
    totals: async () => (await reading()).totals(),
    topCustomers: async (limit) => (await reading()).topCustomers(limit),
    customer: async (customerId) => (await reading()).customer(customerId),
    topProducts: async (limit) => (await reading()).topProducts(limit),
    searchProducts: async (prefix, limit) => (await reading()).searchProducts(prefix, limit),
    product: async (productId) => (await reading()).product(productId),
    timeline: async (limit) => (await reading()).timeline(limit),
    timelineEntry: async (orderId) => (await reading()).timelineEntry(orderId),
    appliedSource: async (orderId) => (await reading()).appliedSource(orderId),
    processingStats: async (processorId) => (await reading()).processingStats(processorId),
  };
}
