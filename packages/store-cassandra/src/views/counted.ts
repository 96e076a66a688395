import type { Order } from '@kafka-monitor/domain';

/** An order a batch counts, with the offset that counts it. */
export interface Counted {
  readonly offset: number;
  readonly order: Order;
}

/** Groups counted orders by key, keeping offset order. */
export function groupBy<K>(counted: readonly Counted[], keyOf: (o: Order) => K): Map<K, Counted[]> {
  const groups = new Map<K, Counted[]>();
  for (const c of counted) {
    const key = keyOf(c.order);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [c]);
    else group.push(c);
  }
  return groups;
}
