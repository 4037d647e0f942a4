import type { Reaction } from '@jetsaga/messaging';
import { decideRestock } from '../decide.js';
import { applyDecision, type InventoryTx, loadState } from '../store.js';

/** Restocks after the money of a refund went back; a cancelled order's hold was released already. */
export const onPaymentRefunded: Reaction<'PaymentRefunded', InventoryTx> = (ctx) => {
  const { orderId, reason } = ctx.message.data;
  if (reason !== 'refund_requested') return;
  applyDecision(ctx, decideRestock(loadState(ctx.tx, orderId)), orderId);
};
