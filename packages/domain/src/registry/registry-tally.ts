import type { OrderStatus } from '../orders/order.js';
import type { RegisteredOrder } from './registered-order.js';

/**
 * What one batch of registry messages adds to the registry's counters: every store adds it to its
 * totals once, at the end of the batch. A registration counts the order under its status, and as
 * validated (approved or rejected); a decision moves it from its previous status to its new one.
 * Accepted revenue follows the orders that became accepted.
 */
export class RegistryTally {
  registered = 0;
  approved = 0;
  rejected = 0;
  revenueCents = 0;
  readonly byStatus: Record<OrderStatus, number> = { pending: 0, accepted: 0, denied: 0 };

  countRegistration(registered: RegisteredOrder): void {
    this.registered++;
    this.byStatus[registered.status]++;
    if (registered.status === 'accepted') this.revenueCents += registered.order.totalCents;
    if (registered.validationPassed) this.approved++;
    else this.rejected++;
  }

  /** `decided` is the order after a decision that changed its status from `previous`. */
  countDecision(previous: OrderStatus, decided: RegisteredOrder): void {
    this.byStatus[previous]--;
    this.byStatus[decided.status]++;
    if (decided.status === 'accepted') this.revenueCents += decided.order.totalCents;
  }

  /** Every registration is validated once: approved or rejected. */
  get validated(): number {
    return this.registered;
  }

  get isEmpty(): boolean {
    const { pending, accepted, denied } = this.byStatus;
    return this.registered === 0 && pending === 0 && accepted === 0 && denied === 0 && this.revenueCents === 0;
  }
}
