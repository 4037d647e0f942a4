import type { Reaction } from '@jetsaga/messaging';
import { decideRevert } from '../decide.js';
import { applyDecision, loadState, type LoyaltyTx } from '../store.js';

export const onOrderRefunded: Reaction<'OrderRefunded', LoyaltyTx> = (ctx) => {
  const { orderId, customerId } = ctx.message.data;
  applyDecision(ctx, decideRevert(loadState(ctx.tx, orderId, customerId), { orderId, customerId }, 'order_refunded'));
};
