import fc from 'fast-check';
import { PRODUCT_IDS, type Order } from '@kafka-monitor/domain';

/** Shape-valid orders over a small id space so customers and products repeat. */
export const orderArbitrary: fc.Arbitrary<Order> = fc.record({
  orderId: fc.uuid({ version: 4 }),
  customerId: fc.integer({ min: 1, max: 8 }),
  productId: fc.constantFrom(...PRODUCT_IDS),
  quantity: fc.integer({ min: 1, max: 10 }),
  unitPriceCents: fc.integer({ min: 1_000, max: 100_000 }),
  totalCents: fc.integer({ min: 1_000, max: 1_000_000 }),
  timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }),
  status: fc.constantFrom('pending', 'accepted', 'denied'),
});

export function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: '00000000-0000-4000-8000-000000000001',
    customerId: 1,
    productId: 'PROD-001',
    quantity: 2,
    unitPriceCents: 1_050,
    totalCents: 2_100,
    timestamp: 1_700_000_000_000,
    status: 'pending',
    ...overrides,
  };
}
