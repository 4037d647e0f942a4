import type { Reaction } from '@jetsaga/messaging';
import { decidePlace } from '../decide.js';
import { loadOrder, type OrderTx, saveDecision } from '../store.js';

export const onPlaceOrder: Reaction<'PlaceOrder', OrderTx> = ({ message, tx, now, emit }) => {
  const decision = decidePlace(loadOrder(tx, message.data.orderId), message.data);
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
