import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@jetsaga/messaging';
import { onCreditWallet } from './reactions/credit-wallet.js';
import { onOrderCancelled } from './reactions/order-cancelled.js';
import { onRefundRequested } from './reactions/refund-requested.js';
import { onStockReserved } from './reactions/stock-reserved.js';
import * as schema from './schema.js';

/** Payment: owns wallets and payments; charges an order once stock is held, refunds it if cancelled. */
export const paymentService: ServiceDefinition<typeof schema> = {
  name: 'payment',
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  subscriptions: {
    CreditWallet: onCreditWallet,
    StockReserved: onStockReserved,
    OrderCancelled: onOrderCancelled,
    RefundRequested: onRefundRequested,
  },
};
