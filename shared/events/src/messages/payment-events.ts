import { z } from 'zod';
import { defineEvent } from '../define.js';
import { amount, printableId, tokenId } from '../ids.js';

export const PaymentSucceeded = defineEvent({
  type: 'PaymentSucceeded',
  version: 1,
  owner: 'payment',
  partyKey: 'customerId',
  summary:
    "The order's total (StockReserved.total) was captured from the customer's wallet. order confirms only when `amount` is the order's total and `customerId` its customer; otherwise the event is dead-lettered (`fact_mismatch`).",
  data: z.object({ orderId: tokenId, customerId: tokenId, amount, paymentId: printableId }),
});
export type PaymentSucceededData = z.infer<typeof PaymentSucceeded.data>;

export const PaymentFailed = defineEvent({
  type: 'PaymentFailed',
  version: 1,
  failure: true,
  owner: 'payment',
  partyKey: 'customerId',
  summary: 'The wallet could not cover the total; nothing was charged.',
  data: z.object({
    orderId: tokenId,
    customerId: tokenId,
    amount,
    reason: z.literal('insufficient_funds'),
    balance: amount,
  }),
});
export type PaymentFailedData = z.infer<typeof PaymentFailed.data>;

export const PaymentRefunded = defineEvent({
  type: 'PaymentRefunded',
  version: 1,
  owner: 'payment',
  partyKey: 'customerId',
  summary: 'A captured payment went back to the wallet: its order was cancelled (a charge that landed after the deadline) or refunded.',
  data: z.object({
    orderId: tokenId,
    customerId: tokenId,
    amount,
    paymentId: printableId,
    reason: z.enum(['order_cancelled', 'refund_requested']),
  }),
});
export type PaymentRefundedData = z.infer<typeof PaymentRefunded.data>;
