import type { Reaction } from '@jetsaga/messaging';
import { decideReserve } from '../decide.js';
import { applyDecision, type InventoryTx, loadKeptHolds, loadState } from '../store.js';

export const onOrderCreated: Reaction<'OrderCreated', InventoryTx> = (ctx) => {
  const order = ctx.message.data;
  const state = { ...loadState(ctx.tx, order.orderId, order.items.map((i) => i.sku)), keptHolds: loadKeptHolds(ctx.tx, order.customerId) };
  applyDecision(ctx, decideReserve(state, order), order.orderId);
};
