import { newId } from '@jetsaga/events';
import type { Reaction } from '@jetsaga/messaging';
import { decideCancel } from '../decide.js';
import { loadState, type PaymentTx, saveDecision } from '../store.js';

export const onOrderCancelled: Reaction<'OrderCancelled', PaymentTx> = ({ message, tx, now, emit }) => {
  const { orderId, customerId } = message.data;
  const decision = decideCancel(loadState(tx, orderId, customerId), message.data, newId());
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
