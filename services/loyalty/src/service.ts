import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@jetsaga/messaging';
import { onOrderCancelled } from './reactions/order-cancelled.js';
import { onOrderConfirmed } from './reactions/order-confirmed.js';
import { onOrderRefunded } from './reactions/order-refunded.js';
import { onPaymentSucceeded } from './reactions/payment-succeeded.js';
import * as schema from './schema.js';

/** Loyalty: owns points; pending on payment, confirmed with the order, reverted on cancel or refund. */
export const loyaltyService: ServiceDefinition<typeof schema> = {
  name: 'loyalty',
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  subscriptions: {
    PaymentSucceeded: onPaymentSucceeded,
    OrderConfirmed: onOrderConfirmed,
    OrderCancelled: onOrderCancelled,
    OrderRefunded: onOrderRefunded,
  },
};
