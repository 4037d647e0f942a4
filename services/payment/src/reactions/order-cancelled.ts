import { newId } from '@jetsaga/events';
import type { Reaction } from '@jetsaga/messaging';
import { decideCancel } from '../decide.js';
import { applyDecision, loadState, type PaymentTx } from '../store.js';

export const onOrderCancelled: Reaction<'OrderCancelled', PaymentTx> = (ctx) => {
  const { orderId, customerId } = ctx.message.data;
  applyDecision(ctx, decideCancel(loadState(ctx.tx, orderId, customerId), ctx.message.data, newId()));
};
