import type { RegisteredOrder } from '../registry/registered-order.js';
import type { RegistryTotals } from '../ports/stores.js';
import type { CustomerView, OrderTotals, ProductView } from '../views/views.js';
import { rowDrifts, type Drift } from './drift.js';
import type { ExpectedRegistration, RegistryFold } from './registry-fold.js';
import type { ViewsFold } from './views-fold.js';

const CUSTOMER_FIELDS = [
  'totalOrders',
  'totalSpentCents',
  'firstOrderTimestamp',
  'lastOrderId',
  'lastOrderTimestamp',
] as const satisfies readonly (keyof CustomerView)[];
const PRODUCT_FIELDS = [
  'totalQuantity',
  'totalRevenueCents',
  'orderCount',
  'lastOrderTimestamp',
] as const satisfies readonly (keyof ProductView)[];
const TOTALS_FIELDS = [
  'totalOrders',
  'totalSpentCents',
  'customerCount',
  'productCount',
] as const satisfies readonly (keyof OrderTotals)[];
const REGISTRY_TOTALS_FIELDS = [
  'registeredCount',
  'acceptedCount',
  'deniedCount',
  'pendingCount',
  'acceptedRevenueCents',
  'totalValidated',
  'totalApproved',
  'totalRejected',
] as const satisfies readonly (keyof RegistryTotals)[];

/** The stored views an audit compares, as the view store's reads return them. */
export interface StoredViews {
  readonly customers: readonly CustomerView[];
  readonly products: readonly ProductView[];
  readonly totals: OrderTotals;
}

/**
 * The stored views against the recomputation: every customer and product on either side, and the
 * totals. Rows whose key is in `skip` (changed after the cut) are left out, and so are the totals
 * when `skipTotals` is set.
 */
export function compareViews(
  fold: ViewsFold,
  stored: StoredViews,
  skip: { readonly customers: ReadonlySet<number>; readonly products: ReadonlySet<string>; readonly totals: boolean },
): Drift[] {
  const drifts: Drift[] = [];
  const storedCustomers = new Map(stored.customers.map((c) => [c.customerId, c]));
  for (const id of new Set([...fold.customers.keys(), ...storedCustomers.keys()])) {
    if (skip.customers.has(id)) continue;
    drifts.push(...rowDrifts('customer', String(id), fold.customers.get(id), storedCustomers.get(id), CUSTOMER_FIELDS));
  }
  const storedProducts = new Map(stored.products.map((p) => [p.productId, p]));
  for (const id of new Set([...fold.products.keys(), ...storedProducts.keys()])) {
    if (skip.products.has(id)) continue;
    drifts.push(...rowDrifts('product', id, fold.products.get(id), storedProducts.get(id), PRODUCT_FIELDS));
  }
  if (!skip.totals) drifts.push(...rowDrifts('totals', 'orders', fold.totals, stored.totals, TOTALS_FIELDS));
  return drifts.sort(byRow);
}

/** The fields of a registration the log decides, flat, so each can be reported on its own. */
function registrationFields(r: ExpectedRegistration | RegisteredOrder) {
  return {
    status: r.status,
    version: r.version,
    validationPassed: r.validationPassed,
    customerId: r.order.customerId,
    productId: r.order.productId,
    quantity: r.order.quantity,
    unitPriceCents: r.order.unitPriceCents,
    totalCents: r.order.totalCents,
    timestamp: r.order.timestamp,
  };
}
const REGISTRATION_FIELDS = Object.keys(
  registrationFields({
    order: {
      orderId: '',
      customerId: 0,
      productId: '',
      quantity: 0,
      unitPriceCents: 0,
      totalCents: 0,
      timestamp: 0,
      status: '',
    },
    status: 'pending',
    version: 0,
    validationPassed: false,
  }),
) as (keyof ReturnType<typeof registrationFields>)[];

/** One registered order of the store against the recomputation (`stored` undefined: not in the store). */
export function compareRegistration(
  orderId: string,
  expected: ExpectedRegistration,
  stored: RegisteredOrder | undefined,
): Drift[] {
  return rowDrifts(
    'registered-order',
    orderId,
    registrationFields(expected),
    stored && registrationFields(stored),
    REGISTRATION_FIELDS,
  );
}

export function compareRegistryTotals(fold: RegistryFold, stored: RegistryTotals): Drift[] {
  return rowDrifts('registry-totals', 'registry', fold.totals, stored, REGISTRY_TOTALS_FIELDS);
}

/** Report order: by view, then key (numbers as numbers), then field. */
export function byRow(a: Drift, b: Drift): number {
  if (a.view !== b.view) return a.view < b.view ? -1 : 1;
  if (a.key !== b.key) {
    const [x, y] = [Number(a.key), Number(b.key)];
    if (Number.isFinite(x) && Number.isFinite(y) && a.key !== '' && b.key !== '') return x - y;
    return a.key < b.key ? -1 : 1;
  }
  return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
}
