import type { Reaction } from '@jetsaga/messaging';
import { decideReserve } from '../decide.js';
import { applyDecision, type InventoryTx, loadState } from '../store.js';

export const onOrderCreated: Reaction<'OrderCreated', InventoryTx> = (ctx) => {
  const order = ctx.message.data;
  applyDecision(ctx, decideReserve(loadState(ctx.tx, order.orderId, order.items.map((i) => i.sku)), order), order.orderId);
};
