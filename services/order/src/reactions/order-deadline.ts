import type { TimerReaction } from '@jetsaga/messaging';
import { decideCancel } from '../decide.js';
import { loadOrder, type OrderTx, saveDecision } from '../store.js';

export const onOrderDeadline: TimerReaction<OrderTx> = ({ timer, tx, now, emit }) => {
  const decision = decideCancel(loadOrder(tx, timer.key), 'timeout');
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
