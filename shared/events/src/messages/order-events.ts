import { z } from 'zod';
import { defineEvent } from '../define.js';
import { orderSummary } from './common.js';

export const OrderCreated = defineEvent({
  type: 'OrderCreated',
  version: 1,
  owner: 'order',
  summary: 'An order was accepted as PENDING; inventory now tries to hold its items.',
  data: orderSummary,
});
export type OrderCreatedData = z.infer<typeof OrderCreated.data>;

export const OrderConfirmed = defineEvent({
  type: 'OrderConfirmed',
  version: 1,
  owner: 'order',
  summary: 'Stock is held and payment captured: the order is CONFIRMED.',
  data: orderSummary,
});
export type OrderConfirmedData = z.infer<typeof OrderConfirmed.data>;

export const cancelReasons = ['out_of_stock', 'payment_failed', 'timeout'] as const;
export type CancelReason = (typeof cancelReasons)[number];

export const OrderCancelled = defineEvent({
  type: 'OrderCancelled',
  version: 1,
  owner: 'order',
  summary: 'The order is CANCELLED; every participant undoes what it did for it.',
  data: orderSummary.extend({ reason: z.enum(cancelReasons) }),
});
export type OrderCancelledData = z.infer<typeof OrderCancelled.data>;
