import { z } from 'zod';
import { defineEvent } from '../define.js';
import { reasonText, tokenId } from '../ids.js';
import { orderSummary } from './common.js';

export const OrderCreated = defineEvent({
  type: 'OrderCreated',
  version: 1,
  owner: 'order',
  partyKey: 'customerId',
  summary: 'An order was accepted as PENDING; inventory now tries to hold its items.',
  data: orderSummary,
});
export type OrderCreatedData = z.infer<typeof OrderCreated.data>;

export const OrderConfirmed = defineEvent({
  type: 'OrderConfirmed',
  version: 1,
  owner: 'order',
  partyKey: 'customerId',
  summary: 'Stock is held and payment captured: the order is CONFIRMED.',
  data: orderSummary,
});
export type OrderConfirmedData = z.infer<typeof OrderConfirmed.data>;

/** Why an order was cancelled: inventory's refusal (its reason), payment's, the deadline, or an operator (CancelOrder). */
export const cancelReasons = ['out_of_stock', 'price_mismatch', 'not_for_sale', 'payment_failed', 'timeout', 'manual'] as const;
export type CancelReason = (typeof cancelReasons)[number];

export const OrderCancelled = defineEvent({
  type: 'OrderCancelled',
  version: 1,
  failure: true,
  owner: 'order',
  partyKey: 'customerId',
  summary:
    "The order is CANCELLED; every participant undoes what it did for it. `reason`: inventory's refusal (`out_of_stock`, `price_mismatch`, `not_for_sale`), `payment_failed`, `timeout` (the deadline), or `manual` (an operator's CancelOrder, whose text is `note`).",
  data: orderSummary.extend({ reason: z.enum(cancelReasons), note: reasonText.optional() }),
});
export type OrderCancelledData = z.infer<typeof OrderCancelled.data>;

export const RefundRequested = defineEvent({
  type: 'RefundRequested',
  version: 1,
  owner: 'order',
  partyKey: 'customerId',
  summary: 'A CONFIRMED order is being refunded (REFUNDING): payment gives the money back first.',
  data: orderSummary.extend({ reason: reasonText }),
});
export type RefundRequestedData = z.infer<typeof RefundRequested.data>;

export const refundRejectionReasons = ['unknown_order', 'not_confirmed', 'already_refunded'] as const;

export const RefundRejected = defineEvent({
  type: 'RefundRejected',
  version: 1,
  failure: true,
  owner: 'order',
  summary: 'A refund was refused: the order is unknown, not CONFIRMED, or refunded (or being refunded) already.',
  data: z.object({
    orderId: tokenId,
    reason: z.enum(refundRejectionReasons),
    status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED']).nullable(),
  }),
});
export type RefundRejectedData = z.infer<typeof RefundRejected.data>;

export const cancelRejectionReasons = ['unknown_order', 'already_over', 'refund_in_progress'] as const;

export const CancelRejected = defineEvent({
  type: 'CancelRejected',
  version: 1,
  failure: true,
  owner: 'order',
  summary:
    'An operator\'s CancelOrder was refused: the order is unknown (`unknown_order`), over already (`already_over`: CONFIRMED, CANCELLED or REFUNDED; a confirmed order is refunded, not cancelled), or being refunded (`refund_in_progress`). Nothing changed.',
  data: z.object({
    orderId: tokenId,
    reason: z.enum(cancelRejectionReasons),
    status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED']).nullable(),
  }),
});
export type CancelRejectedData = z.infer<typeof CancelRejected.data>;

export const OrderRefunded = defineEvent({
  type: 'OrderRefunded',
  version: 1,
  owner: 'order',
  partyKey: 'customerId',
  summary: 'Money and stock are back: the order is REFUNDED; loyalty reverts its points.',
  data: orderSummary.extend({ reason: reasonText }),
});
export type OrderRefundedData = z.infer<typeof OrderRefunded.data>;
