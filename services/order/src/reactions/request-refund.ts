import type { Reaction } from '@jetsaga/messaging';
import { decideRefundRequest } from '../decide.js';
import { applyDecision, loadOrder, type OrderTx } from '../store.js';

export const onRequestRefund: Reaction<'RequestRefund', OrderTx> = (ctx) =>
  applyDecision(ctx, decideRefundRequest(loadOrder(ctx.tx, ctx.message.data.orderId), ctx.message.data));
