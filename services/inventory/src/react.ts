import { type Envelope, type Partition, reservationFailureReasons } from '@jetsaga/events';
import { type Input, type PartitionBy, type ReactContext, unhandled } from '@jetsaga/messaging';
import { decidePartAnswer, decideReservePart, ownsAny } from './parts.js';
import {
  decideCancellation,
  decideCommit,
  decideRelease,
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
/** Only partitioned: the parts' answers, at the partition that decides the order (parts.ts). */
export const inventoryPartitionMessages = ['StockPartHeld', 'StockPartRefused'] as const;

/** Partitioned: an order event is this partition's when the order names one of its skus (PaymentFailed and PaymentRefunded name none: the router looks at its reservation). */
export function inventoryTakes(message: Envelope, partition: Partition): boolean {
  const items = (message.data as { items?: { sku: string }[] } | null)?.items;
  return items === undefined || ownsAny(items, partition);
}

/**
 * Partitioned, inventory takes its commands by sku, the parts' answers at the partition owning
 * the order id, and every order event at every partition (each acts on its own skus).
 */
export function inventoryPartitionBy(type: InventoryInput['type']): PartitionBy {
  if (type === 'SetStock' || type === 'SetPrice') return 'key';
  if (type === 'StockPartHeld' || type === 'StockPartRefused') return 'saga';
  return 'all';
}
export const inventoryTimers = [RELEASE_HOLD] as const;
export type InventoryInput = Input<(typeof inventoryMessages)[number] | (typeof inventoryPartitionMessages)[number], (typeof inventoryTimers)[number]>;

/** Inventory's router: every message and timer it receives, to its decision. */
export function react(state: InventoryState, input: InventoryInput, ctx: ReactContext<InventorySettings>): InventoryDecision {
  switch (input.type) {
    case 'SetStock':
      return decideSetStock(state, input.data);
    case 'SetPrice':
      return decideSetPrice(input.data);
    case 'OrderCreated':
      return decideReservePart(state, input.data, ctx.partition);
    case 'OrderConfirmed':
      return decideCommit(state);
    case 'PaymentFailed':
      // Partitioned: every hold of the order came before its StockReserved, so a partition with
      // no reservation owns none of its skus (a tombstone there would only be litter).
      if (ctx.partition && !state.reservation) return {};
      return decideCancellation(state, input.data.orderId, 'payment_failed', ctx.now, ctx.settings.releaseDelayMs);
    case 'OrderCancelled':
      if (!ownsAny(input.data.items, ctx.partition)) return {};
      // Refused by inventory (another partition's skus, when partitioned): no hold survives, none is kept.
      if ((reservationFailureReasons as readonly string[]).includes(input.data.reason)) return decideRelease(state, input.data.orderId, 'order_cancelled');
      return decideCancellation(state, input.data.orderId, 'order_cancelled', ctx.now, ctx.settings.releaseDelayMs);
    case 'StockPartHeld':
      return decidePartAnswer(state.answers ?? [], { held: true, data: input.data });
    case 'StockPartRefused':
      return decidePartAnswer(state.answers ?? [], { held: false, data: input.data });
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
