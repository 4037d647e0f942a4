import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@jetsaga/messaging';
import { onOrderDeadline } from './reactions/order-deadline.js';
import { onPaymentFailed } from './reactions/payment-failed.js';
import { onPaymentSucceeded } from './reactions/payment-succeeded.js';
import { onPlaceOrder } from './reactions/place-order.js';
import { onRequestRefund } from './reactions/request-refund.js';
import { onStockRestocked } from './reactions/stock-restocked.js';
import { onStockReservationFailed } from './reactions/stock-reservation-failed.js';
import * as schema from './schema.js';

/** Order: owns orders, starts the saga, confirms or cancels it, enforces its deadline, runs refunds. */
export const orderService: ServiceDefinition<typeof schema> = {
  name: 'order',
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  subscriptions: {
    PlaceOrder: onPlaceOrder,
    StockReservationFailed: onStockReservationFailed,
    PaymentSucceeded: onPaymentSucceeded,
    PaymentFailed: onPaymentFailed,
    RequestRefund: onRequestRefund,
    StockRestocked: onStockRestocked,
  },
  timers: {
    OrderDeadline: onOrderDeadline,
  },
};
