import type { Reaction } from '@jetsaga/messaging';
import { decideReserve } from '../decide.js';
import { type InventoryTx, loadState, saveDecision } from '../store.js';

export const onOrderCreated: Reaction<'OrderCreated', InventoryTx> = ({ message, tx, now, emit }) => {
  const order = message.data;
  const decision = decideReserve(loadState(tx, order.orderId, order.items.map((i) => i.sku)), order);
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
