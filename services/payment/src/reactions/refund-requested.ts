import type { Reaction } from '@jetsaga/messaging';
import { decideRefund } from '../decide.js';
import { applyDecision, loadState, type PaymentTx } from '../store.js';

export const onRefundRequested: Reaction<'RefundRequested', PaymentTx> = (ctx) => {
  const { orderId, customerId } = ctx.message.data;
  applyDecision(ctx, decideRefund(loadState(ctx.tx, orderId, customerId)));
};
