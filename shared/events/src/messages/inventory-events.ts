import { z } from 'zod';
import { defineEvent } from '../define.js';
import { quantity, tokenId } from '../ids.js';
import { orderSummary, stockLine } from './common.js';

export const StockReserved = defineEvent({
  type: 'StockReserved',
  version: 1,
  owner: 'inventory',
  summary: 'Every item of the order is held (TCC try); payment now charges the customer.',
  data: orderSummary,
});
export type StockReservedData = z.infer<typeof StockReserved.data>;

export const StockReservationFailed = defineEvent({
  type: 'StockReservationFailed',
  version: 1,
  failure: true,
  owner: 'inventory',
  summary: 'At least one item is short, so nothing was held (all or nothing).',
  data: z.object({
    orderId: tokenId,
    reason: z.literal('out_of_stock'),
    shortages: z
      .array(z.object({ sku: tokenId, requested: quantity, available: z.number().int().nonnegative() }))
      .min(1),
  }),
});
export type StockReservationFailedData = z.infer<typeof StockReservationFailed.data>;

export const StockCommitted = defineEvent({
  type: 'StockCommitted',
  version: 1,
  owner: 'inventory',
  summary: "The order's hold became a sale (TCC confirm).",
  data: z.object({ orderId: tokenId, items: z.array(stockLine).min(1) }),
});
export type StockCommittedData = z.infer<typeof StockCommitted.data>;

export const StockReleased = defineEvent({
  type: 'StockReleased',
  version: 1,
  owner: 'inventory',
  summary: "The order's hold went back to available stock (TCC cancel).",
  data: z.object({
    orderId: tokenId,
    items: z.array(stockLine).min(1),
    reason: z.enum(['payment_failed', 'order_cancelled']),
  }),
});
export type StockReleasedData = z.infer<typeof StockReleased.data>;

export const StockHoldTransferred = defineEvent({
  type: 'StockHoldTransferred',
  version: 1,
  owner: 'inventory',
  summary:
    "Part or all of a cancelled order's hold, kept for its customer by STOCK_RELEASE_DELAY_MS, went to that customer's new order; `remaining` stays held until the release.",
  data: z.object({
    orderId: tokenId,
    toOrderId: tokenId,
    items: z.array(stockLine).min(1),
    remaining: z.array(stockLine),
  }),
});
export type StockHoldTransferredData = z.infer<typeof StockHoldTransferred.data>;

export const StockRestocked = defineEvent({
  type: 'StockRestocked',
  version: 1,
  owner: 'inventory',
  summary: "A refunded order's sold items went back to available stock.",
  data: z.object({ orderId: tokenId, items: z.array(stockLine).min(1) }),
});
export type StockRestockedData = z.infer<typeof StockRestocked.data>;
