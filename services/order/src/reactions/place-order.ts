import type { Reaction } from '@jetsaga/messaging';
import { decidePlace } from '../decide.js';
import { orderSettings } from '../settings.js';
import { loadOrder, type OrderTx, saveDecision } from '../store.js';

export const onPlaceOrder: Reaction<'PlaceOrder', OrderTx> = ({ message, tx, now, emit, schedule }) => {
  const { orderId } = message.data;
  const decision = decidePlace(loadOrder(tx, orderId), message.data, now, orderSettings.deadlineMs);
  saveDecision(tx, decision, now.getTime());
  if (decision.deadline) schedule({ kind: 'OrderDeadline', key: orderId, dueAt: decision.deadline });
  decision.events.forEach(emit);
};
