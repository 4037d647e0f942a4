import { newId } from '@jetsaga/events';
import type { Reaction } from '@jetsaga/messaging';
import { decideCharge } from '../decide.js';
import { applyDecision, loadState, type PaymentTx } from '../store.js';

export const onStockReserved: Reaction<'StockReserved', PaymentTx> = (ctx) => {
  const { orderId, customerId } = ctx.message.data;
  applyDecision(ctx, decideCharge(loadState(ctx.tx, orderId, customerId), ctx.message.data, newId()));
};
