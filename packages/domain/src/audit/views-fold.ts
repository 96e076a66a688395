import type { Order } from '../orders/order.js';
import {
  evolveCustomer,
  evolveProduct,
  type CustomerView,
  type OrderTotals,
  type ProductView,
} from '../views/views.js';

/**
 * `recomputeViews` one order at a time, for a log too large to hold: the same folds and the same rule
 * (a repeated order id counts once), without the timeline. What it keeps grows with distinct order ids
 * (one set entry each), customers and products, never with the messages read.
 */
export class ViewsFold {
  private readonly seen = new Set<string>();
  private readonly customerViews = new Map<number, CustomerView>();
  private readonly productViews = new Map<string, ProductView>();
  private spentCents = 0;

  add(order: Order): void {
    if (this.seen.has(order.orderId)) return;
    this.seen.add(order.orderId);
    this.customerViews.set(order.customerId, evolveCustomer(this.customerViews.get(order.customerId), order));
    this.productViews.set(order.productId, evolveProduct(this.productViews.get(order.productId), order));
    this.spentCents += order.totalCents;
  }

  get customers(): ReadonlyMap<number, CustomerView> {
    return this.customerViews;
  }

  get products(): ReadonlyMap<string, ProductView> {
    return this.productViews;
  }

  get totals(): OrderTotals {
    return {
      totalOrders: this.seen.size,
      totalSpentCents: this.spentCents,
      customerCount: this.customerViews.size,
      productCount: this.productViews.size,
    };
  }
}
