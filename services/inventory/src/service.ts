import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@jetsaga/messaging';
import { onOrderCancelled } from './reactions/order-cancelled.js';
import { onOrderConfirmed } from './reactions/order-confirmed.js';
import { onOrderCreated } from './reactions/order-created.js';
import { onPaymentFailed } from './reactions/payment-failed.js';
import { onPaymentRefunded } from './reactions/payment-refunded.js';
import { onReleaseHold } from './reactions/release-hold.js';
import { onSetStock } from './reactions/set-stock.js';
import * as schema from './schema.js';

/** Inventory: owns stock and reservations (try = hold, confirm = commit, cancel = release). */
export const inventoryService: ServiceDefinition<typeof schema> = {
  name: 'inventory',
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  subscriptions: {
    SetStock: onSetStock,
    OrderCreated: onOrderCreated,
    PaymentFailed: onPaymentFailed,
    OrderConfirmed: onOrderConfirmed,
    OrderCancelled: onOrderCancelled,
    PaymentRefunded: onPaymentRefunded,
  },
  timers: {
    ReleaseHold: onReleaseHold,
  },
};
