import { z } from 'zod';
import { defineEvent } from '../define.js';
import { amount, quantity, tokenId } from '../ids.js';
import { orderSummary, stockLine } from './common.js';

export const StockReserved = defineEvent({
  type: 'StockReserved',
  version: 1,
  owner: 'inventory',
  partyKey: 'customerId',
  summary:
    "Every item of the order is held (TCC try) at inventory's current prices; `total` is what inventory priced (quantity x price, summed), and exactly what payment charges.",
  data: orderSummary,
});
export type StockReservedData = z.infer<typeof StockReserved.data>;

export const reservationFailureReasons = ['out_of_stock', 'price_mismatch', 'not_for_sale'] as const;
export type ReservationFailureReason = (typeof reservationFailureReasons)[number];

/** What each refusal lists, by reason. */
const listedBy: Record<ReservationFailureReason, 'shortages' | 'prices' | 'notForSale'> = {
  out_of_stock: 'shortages',
  price_mismatch: 'prices',
  not_for_sale: 'notForSale',
};

/** A refusal's reason and the list of that reason (the others absent). */
const refusalFields = {
  reason: z.enum(reservationFailureReasons),
  shortages: z
    .array(z.object({ sku: tokenId, requested: quantity, available: z.number().int().nonnegative() }))
    .min(1)
    .optional(),
  /** The order's lines whose unitPrice is not the catalog price: what it asked, and the current price. */
  prices: z.array(z.object({ sku: tokenId, unitPrice: amount, currentPrice: amount })).min(1).optional(),
  /** The order's skus with no price. */
  notForSale: z.array(tokenId).min(1).optional(),
};

function listsItsReason(data: { reason: ReservationFailureReason; shortages?: unknown; prices?: unknown; notForSale?: unknown }, ctx: z.RefinementCtx): void {
  for (const [reason, field] of Object.entries(listedBy)) {
    const present = data[field] !== undefined;
    if (reason === data.reason && !present) ctx.addIssue({ code: 'custom', path: [field], message: `${data.reason} lists its ${field}` });
    if (reason !== data.reason && present) ctx.addIssue({ code: 'custom', path: [field], message: `only ${reason} lists ${field}, not ${data.reason}` });
  }
}

export const StockReservationFailed = defineEvent({
  type: 'StockReservationFailed',
  version: 1,
  failure: true,
  owner: 'inventory',
  summary:
    'Nothing was held (all or nothing): `not_for_sale` (skus with no price, in `notForSale`), else `price_mismatch` (an item whose unitPrice is not the current price; `prices` lists them with the current price), else `out_of_stock` (`shortages`). Only the list of its reason is present.',
  data: z.object({ orderId: tokenId, ...refusalFields }).superRefine(listsItsReason),
});
export type StockReservationFailedData = z.infer<typeof StockReservationFailed.data>;

/** The inventory partitions that own an order's skus (docs/partitions.md), and which one answers. */
const partFields = { part: z.number().int().nonnegative().max(63), parts: z.array(z.number().int().nonnegative().max(63)).min(2).max(64) };

export const StockPartHeld = defineEvent({
  type: 'StockPartHeld',
  version: 1,
  owner: 'inventory',
  summary:
    "Inventory partitioned: partition `part` held its skus of the order (the order's own summary, at inventory's prices). The partition owning the order id answers StockReserved once every one of `parts` held, else StockReservationFailed; inventory's own, on the order's saga.",
  data: orderSummary.extend(partFields),
});
export type StockPartHeldData = z.infer<typeof StockPartHeld.data>;

export const StockPartRefused = defineEvent({
  type: 'StockPartRefused',
  version: 1,
  failure: true,
  owner: 'inventory',
  summary:
    'Inventory partitioned: partition `part` holds none of its skus of the order, for `reason` (listing its own skus of that reason, as StockReservationFailed does). The partition owning the order id answers StockReservationFailed once every one of `parts` answered; every partition that held releases on the OrderCancelled that follows.',
  data: z.object({ orderId: tokenId, ...partFields, ...refusalFields }).superRefine(listsItsReason),
});
export type StockPartRefusedData = z.infer<typeof StockPartRefused.data>;

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
