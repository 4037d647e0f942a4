import type { TimerReaction } from '@jetsaga/messaging';
import { decideRelease, type ReleaseReason } from '../decide.js';
import { type InventoryTx, loadState, saveDecision } from '../store.js';

export const onReleaseHold: TimerReaction<InventoryTx> = ({ timer, tx, now, emit }) => {
  const { reason } = timer.payload as { reason: ReleaseReason };
  const decision = decideRelease(loadState(tx, timer.key), timer.key, reason);
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
};
