import { z } from 'zod';
import { defineCommand } from '../define.js';
import { positiveAmount, tokenId } from '../ids.js';
import { orderItems } from './common.js';

export const PlaceOrder = defineCommand({
  type: 'PlaceOrder',
  version: 1,
  owner: 'order',
  sagaKey: 'orderId',
  summary: 'Start an order saga. The client picks orderId; a repeat with the same orderId creates nothing new.',
  data: z.object({ orderId: tokenId, customerId: tokenId, items: orderItems }),
});
export type PlaceOrderData = z.infer<typeof PlaceOrder.data>;

export const SetStock = defineCommand({
  type: 'SetStock',
  version: 1,
  owner: 'inventory',
  summary: 'Set the quantity of a sku available for new reservations (held and sold stock are not touched).',
  data: z.object({ sku: tokenId, quantity: z.number().int().nonnegative().max(1_000_000_000) }),
});
export type SetStockData = z.infer<typeof SetStock.data>;

export const CreditWallet = defineCommand({
  type: 'CreditWallet',
  version: 1,
  owner: 'payment',
  summary: "Add money to a customer's wallet (created on first credit).",
  data: z.object({ customerId: tokenId, amount: positiveAmount }),
});
export type CreditWalletData = z.infer<typeof CreditWallet.data>;

export const RequestRefund = defineCommand({
  type: 'RequestRefund',
  version: 1,
  owner: 'order',
  sagaKey: 'orderId',
  summary: 'Refund a CONFIRMED order: money back, stock back, points reverted. Refused (RefundRejected) otherwise.',
  data: z.object({ orderId: tokenId, reason: z.string().min(1).max(500) }),
});
export type RequestRefundData = z.infer<typeof RequestRefund.data>;
