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
