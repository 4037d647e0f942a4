import type { TimerReaction } from '@jetsaga/messaging';
import { decideRelease, type ReleaseReason } from '../decide.js';
import { applyDecision, type InventoryTx, loadState } from '../store.js';

export const onReleaseHold: TimerReaction<InventoryTx> = (ctx) => {
  const orderId = ctx.timer.key;
  const { reason } = ctx.timer.payload as { reason: ReleaseReason };
  applyDecision(ctx, decideRelease(loadState(ctx.tx, orderId), orderId, reason), orderId);
};
