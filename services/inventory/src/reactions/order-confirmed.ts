import type { Reaction } from '@jetsaga/messaging';
import { decideCommit } from '../decide.js';
import { applyDecision, type InventoryTx, loadState } from '../store.js';

export const onOrderConfirmed: Reaction<'OrderConfirmed', InventoryTx> = (ctx) => {
  const { orderId } = ctx.message.data;
  applyDecision(ctx, decideCommit(loadState(ctx.tx, orderId)), orderId);
};
