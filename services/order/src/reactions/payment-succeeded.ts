import type { Reaction } from '@jetsaga/messaging';
import { decideConfirm } from '../decide.js';
import { loadOrder, type OrderTx, saveDecision } from '../store.js';

export const onPaymentSucceeded: Reaction<'PaymentSucceeded', OrderTx> = ({ message, tx, now, emit }) => {
  const decision = decideConfirm(loadOrder(tx, message.data.orderId));
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
