import { recomputeViews, type Order, type ViewStore } from '@kafka-monitor/domain';

/** Enough rows to read every view of a test run through the port's paged reads. */
const ALL = 1_000;

/** A view store's contents in a form `expect(...).toEqual` can compare with a recomputation. */
export async function snapshotViews(views: ViewStore) {
  const [customers, products, timeline, totals] = await Promise.all([
    views.topCustomers(ALL),
    views.topProducts(ALL),
    views.timeline(ALL),
    views.totals(),
  ]);
  return {
    customers: [...customers].sort((a, b) => a.customerId - b.customerId),
    products: [...products].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
    timeline,
    totals,
  };
}

/** The same shape computed from scratch over a sequence of orders (duplicates count once). */
export function expectedViews(orders: Iterable<Order>, timelineLimit = ALL) {
  const views = recomputeViews(orders);
  return {
    customers: [...views.customers.values()].sort((a, b) => a.customerId - b.customerId),
    products: [...views.products.values()].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
    timeline: views.timeline.slice(0, timelineLimit),
    totals: views.totals,
  };
}
