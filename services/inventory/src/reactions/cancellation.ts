import type { EffectContext } from '@jetsaga/messaging';
import { decideCancellation, type ReleaseReason } from '../decide.js';
import { inventorySettings } from '../settings.js';
import { applyDecision, type InventoryTx, loadState } from '../store.js';

/** PaymentFailed and OrderCancelled both undo the hold: at once, or after the release delay. */
export function compensate(ctx: EffectContext<InventoryTx>, orderId: string, reason: ReleaseReason): void {
  const decision = decideCancellation(loadState(ctx.tx, orderId), orderId, reason, ctx.now, inventorySettings.releaseDelayMs);
  applyDecision(ctx, decision, orderId, { reason });
}
