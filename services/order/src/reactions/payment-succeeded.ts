import type { Reaction } from '@jetsaga/messaging';
import { decideConfirm } from '../decide.js';
import { applyDecision, loadOrder, type OrderTx } from '../store.js';

export const onPaymentSucceeded: Reaction<'PaymentSucceeded', OrderTx> = (ctx) =>
  applyDecision(ctx, decideConfirm(loadOrder(ctx.tx, ctx.message.data.orderId)));
