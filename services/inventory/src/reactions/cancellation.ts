import type { EffectContext } from '@jetsaga/messaging';
import { decideCancellation, type ReleaseReason } from '../decide.js';
import { inventorySettings } from '../settings.js';
import { type InventoryTx, loadState, saveDecision } from '../store.js';

/** PaymentFailed and OrderCancelled both undo the hold: at once, or after the release delay. */
export function compensate({ tx, now, emit, schedule }: EffectContext<InventoryTx>, orderId: string, reason: ReleaseReason): void {
  const decision = decideCancellation(loadState(tx, orderId), orderId, reason, now, inventorySettings.releaseDelayMs);
  saveDecision(tx, decision, now.getTime());
  if (decision.releaseAt) schedule({ kind: 'ReleaseHold', key: orderId, dueAt: decision.releaseAt, payload: { reason } });
  decision.events.forEach(emit);
}
