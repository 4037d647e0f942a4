import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import {
  decideCancellation,
  decideCommit,
  decideRelease,
  decideReserve,
  decideRestock,
  decideSetPrice,
  decideSetStock,
  type InventoryDecision,
  type InventoryState,
  RELEASE_HOLD,
  type ReleaseReason,
} from './decide.js';
import type { InventorySettings } from './settings.js';

export const inventoryMessages = ['SetStock', 'SetPrice', 'OrderCreated', 'PaymentFailed', 'OrderConfirmed', 'OrderCancelled', 'PaymentRefunded'] as const;
export const inventoryTimers = [RELEASE_HOLD] as const;
export type InventoryInput = Input<(typeof inventoryMessages)[number], (typeof inventoryTimers)[number]>;

/** Inventory's router: every message and timer it receives, to its decision. */
export function react(state: InventoryState, input: InventoryInput, ctx: ReactContext<InventorySettings>): InventoryDecision {
  switch (input.type) {
    case 'SetStock':
      return decideSetStock(state, input.data);
    case 'SetPrice':
      return decideSetPrice(input.data);
    case 'OrderCreated':
      return decideReserve(state, input.data);
    case 'OrderConfirmed':
      return decideCommit(state);
    case 'PaymentFailed':
      return decideCancellation(state, input.data.orderId, 'payment_failed', ctx.now, ctx.settings.releaseDelayMs);
    case 'OrderCancelled':
      return decideCancellation(state, input.data.orderId, 'order_cancelled', ctx.now, ctx.settings.releaseDelayMs);
    case RELEASE_HOLD:
      return decideRelease(state, input.key, (input.payload as { reason: ReleaseReason }).reason);
    case 'PaymentRefunded':
      // A cancelled order's charge refunded: its hold was released already; only a refund restocks
      // (committing first a hold whose OrderConfirmed has not reached inventory yet).
      return input.data.reason === 'refund_requested' ? decideRestock(state) : {};
    default:
      return unhandled(input);
  }
}
