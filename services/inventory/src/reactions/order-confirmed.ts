import type { Reaction } from '@jetsaga/messaging';
import { decideCommit } from '../decide.js';
import { type InventoryTx, loadState, saveDecision } from '../store.js';

export const onOrderConfirmed: Reaction<'OrderConfirmed', InventoryTx> = ({ message, tx, now, emit }) => {
  const decision = decideCommit(loadState(tx, message.data.orderId));
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
