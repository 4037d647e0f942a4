import { z } from 'zod';
import { amount, quantity, tokenId } from '../ids.js';

/** A line of an order as the customer placed it. */
export const orderItem = z.object({
  sku: tokenId,
  quantity,
  unitPrice: amount,
});
export type OrderItem = z.infer<typeof orderItem>;

/** A quantity of one sku, as inventory moves it. */
export const stockLine = z.object({ sku: tokenId, quantity });
export type StockLine = z.infer<typeof stockLine>;

export const orderItems = z.array(orderItem).min(1).max(100);

/** What every step of an order saga needs to know about the order (no synchronous lookups). */
export const orderSummary = z.object({ orderId: tokenId, customerId: tokenId, items: orderItems, total: amount });
export type OrderSummary = z.infer<typeof orderSummary>;
