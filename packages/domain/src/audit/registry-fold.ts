import type { RegistryMessage } from '../messages/registry-message.js';
import type { Order, OrderStatus } from '../orders/order.js';
import { registryStatusOf } from '../validation/validate-order.js';
import type { RegistryTotals } from '../ports/stores.js';

/** What the registry must hold for one order, as far as the log decides it (times are the store's own). */
export interface ExpectedRegistration {
  readonly order: Order;
  readonly status: OrderStatus;
  readonly version: number;
  readonly validationPassed: boolean;
}

/**
 * The registry recomputed from the `registry` log, message by message, with the store's rules: the
 * first validation result of an order id registers it (status from its rules, version 1), a replay
 * changes nothing; a status change is decided once per request id and applies only to a pending
 * order (version + 1); one for an order not registered yet is refused and never retried.
 */
export class RegistryFold {
  private readonly orders = new Map<string, ExpectedRegistration>();
  private readonly decided = new Set<string>();

  add(message: RegistryMessage): void {
    if (message.kind === 'validation') {
      this.register(message.order, registryStatusOf(message.result), message.result.passed);
    } else {
      this.decide(message.change.requestId, message.change.orderId, message.change.newStatus);
    }
  }

  /** A validation result: the first one of an order id registers it, a replay changes nothing. */
  register(order: Order, status: OrderStatus, validationPassed: boolean): void {
    if (this.orders.has(order.orderId)) return;
    this.orders.set(order.orderId, { order, status, version: 1, validationPassed });
  }

  /** A status change: decided once per request id, applied only to a pending order. */
  decide(requestId: string, orderId: string, newStatus: OrderStatus): void {
    if (this.decided.has(requestId)) return;
    this.decided.add(requestId);
    const current = this.orders.get(orderId);
    if (current?.status !== 'pending') return;
    this.orders.set(orderId, { ...current, status: newStatus, version: current.version + 1 });
  }

  get registrations(): ReadonlyMap<string, ExpectedRegistration> {
    return this.orders;
  }

  get totals(): RegistryTotals {
    const counts = { pending: 0, accepted: 0, denied: 0 };
    let acceptedRevenueCents = 0;
    let approved = 0;
    for (const r of this.orders.values()) {
      counts[r.status]++;
      if (r.status === 'accepted') acceptedRevenueCents += r.order.totalCents;
      if (r.validationPassed) approved++;
    }
    return {
      registeredCount: this.orders.size,
      acceptedCount: counts.accepted,
      deniedCount: counts.denied,
      pendingCount: counts.pending,
      acceptedRevenueCents,
      totalValidated: this.orders.size,
      totalApproved: approved,
      totalRejected: this.orders.size - approved,
    };
  }
}
