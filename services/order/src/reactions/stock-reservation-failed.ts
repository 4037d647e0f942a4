import type { Reaction } from '@jetsaga/messaging';
import { decideCancel } from '../decide.js';
import { loadOrder, type OrderTx, saveDecision } from '../store.js';

export const onStockReservationFailed: Reaction<'StockReservationFailed', OrderTx> = ({ message, tx, now, emit }) => {
  const decision = decideCancel(loadOrder(tx, message.data.orderId), 'out_of_stock');
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
