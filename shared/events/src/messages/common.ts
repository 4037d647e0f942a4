import { z } from 'zod';
import { amount, quantity, tokenId, walletCredit } from '../ids.js';
import { instanceId } from '../instances.js';

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

/**
 * The lines of an order: one line per sku, and a total (quantity x unitPrice, summed) that
 * stays an exact integer (at most Number.MAX_SAFE_INTEGER).
 */
export const orderItems = z
  .array(orderItem)
  .min(1)
  .max(100)
  .superRefine((items, ctx) => {
    const lineOf = new Map<unknown, number>();
    let total = 0;
    items.forEach((item, i) => {
      const first = lineOf.get(item.sku);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [i, 'sku'], message: `sku "${item.sku}" is on line ${first} already: one line per sku` });
      } else lineOf.set(item.sku, i);
      total += item.quantity * item.unitPrice;
    });
    if (total > Number.MAX_SAFE_INTEGER) {
      ctx.addIssue({ code: 'custom', message: `the total (quantity x unitPrice, summed) is ${total}, past the limit ${Number.MAX_SAFE_INTEGER}` });
    }
  });

/** An order's total: quantity x unitPrice, summed. */
export function totalOf(items: readonly { quantity: number; unitPrice: number }[]): number {
  return items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
}

/** What every step of an order saga needs to know about the order (no synchronous lookups). */
export const orderSummary = z.object({ orderId: tokenId, customerId: tokenId, items: orderItems, total: amount });
export type OrderSummary = z.infer<typeof orderSummary>;

/** An account at a bank: the bank's instance id (`a` for `bank-a`) and the account's id there. */
export const accountRef = z.object({ bank: instanceId, accountId: tokenId });
export type AccountRef = z.infer<typeof accountRef>;

/**
 * What every step of a transfer saga needs to know about the transfer (no synchronous
 * lookups): its id (the saga id), both accounts, and the amount (minor units).
 */
export const transferSummary = z.object({ transferId: tokenId, from: accountRef, to: accountRef, amount: walletCredit });
export type TransferSummary = z.infer<typeof transferSummary>;
