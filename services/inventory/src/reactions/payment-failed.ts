import type { Reaction } from '@jetsaga/messaging';
import { decideRelease } from '../decide.js';
import { type InventoryTx, loadState, saveDecision } from '../store.js';

export const onPaymentFailed: Reaction<'PaymentFailed', InventoryTx> = ({ message, tx, now, emit }) => {
  const decision = decideRelease(loadState(tx, message.data.orderId), 'payment_failed');
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
