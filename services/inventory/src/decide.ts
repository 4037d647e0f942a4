import {
  draft,
  type EventDraft,
  type OrderItem,
  type SetPriceData,
  type SetStockData,
  type StockLine,
  type StockPartHeldData,
  type StockPartRefusedData,
  type StockReservationFailedData,
  totalOf,
} from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';

export interface StockLevel {
  sku: string;
  available: number;
  held: number;
  sold: number;
  received: number;
}

/**
 * CANCELLED is a tombstone: the order was cancelled before its reservation was tried.
 * RELEASING: the order was cancelled, and its hold is kept for its customer until the release
 * timer (JETSAGA_STOCK_RELEASE_DELAY_MS); a new order of the same customer takes from it first.
 * TRANSFERRED: such a hold went, all of it, to the customer's new orders.
 * RESTOCKED: a refund put the sold items back.
 */
export type ReservationStatus = 'HELD' | 'RELEASING' | 'COMMITTED' | 'RELEASED' | 'TRANSFERRED' | 'REJECTED' | 'CANCELLED' | 'RESTOCKED';

export interface Reservation {
  orderId: string;
  customerId?: string;
  status: ReservationStatus;
  /** What the reservation holds (or sold) now; a hold taken over by a re-order shrinks. */
  lines: StockLine[];
}

/** Partitioned (parts.ts): one partition's answer for its skus of an order, as the deciding partition keeps it. */
export type PartAnswer = { held: true; data: StockPartHeldData } | { held: false; data: StockPartRefusedData };

/** Quantity of one sku that moved from a kept hold to a new order of the same customer. */
export interface HoldTransfer {
  fromOrderId: string;
  toOrderId: string;
  sku: string;
  quantity: number;
}

export interface InventoryState {
  reservation: Reservation | undefined;
  /** Levels of every sku the message touches; a missing sku has nothing in stock. */
  stock: ReadonlyMap<string, StockLevel>;
  /** The customer's RELEASING holds, oldest first (only a new order needs them). */
  keptHolds?: readonly Reservation[];
  /** The current price of each sku a new order names; a sku missing here has no price (not for sale). */
  prices?: ReadonlyMap<string, number>;
  /** Partitioned: the answers of the order's parts so far, at the partition that decides it (parts.ts). */
  answers?: readonly PartAnswer[];
}

/** A sku's catalog price (minor units). */
export interface Price {
  sku: string;
  unitPrice: number;
}

export interface InventoryChanges {
  reservation?: Reservation;
  /** Kept holds that a new order took from, with what they hold afterwards. */
  keptHolds?: Reservation[];
  transfers?: HoldTransfer[];
  stock: StockLevel[];
  prices?: Price[];
  /** Partitioned: a part's answer, kept by the partition that decides the order. */
  partAnswer?: PartAnswer;
}

export type InventoryDecision = Decision<InventoryChanges>;

export type ReleaseReason = 'payment_failed' | 'order_cancelled';

/** The durable timer that releases a kept hold (delayed compensation); its payload is `{ reason }`. */
export const RELEASE_HOLD = 'ReleaseHold';

const nothing: InventoryDecision = {};

/** An order's items as one line per sku. */
export function linesOf(items: OrderItem[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const item of items) bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + item.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

export function emptyLevel(sku: string): StockLevel {
  return { sku, available: 0, held: 0, sold: 0, received: 0 };
}

/**
 * Why an order cannot be sold at the prices it carries, or undefined when every item is priced
 * at the catalog's price: `not_for_sale` (skus with no price) first, then `price_mismatch`
 * (the lines whose unitPrice is not the current price, with the current price).
 */
export function priceRefusal(prices: ReadonlyMap<string, number>, items: readonly OrderItem[]): Omit<StockReservationFailedData, 'orderId'> | undefined {
  const notForSale = items.filter((i) => !prices.has(i.sku)).map((i) => i.sku);
  if (notForSale.length > 0) return { reason: 'not_for_sale', notForSale };
  const mismatched = items.filter((i) => prices.get(i.sku) !== i.unitPrice).map((i) => ({ sku: i.sku, unitPrice: i.unitPrice, currentPrice: prices.get(i.sku)! }));
  if (mismatched.length > 0) return { reason: 'price_mismatch', prices: mismatched };
  return undefined;
}

/**
 * TCC try: hold every line of the order, or nothing at all. A tombstone makes it a no-op.
 * Inventory owns the prices: an order with a sku not for sale, or a unitPrice that is not the
 * current price, holds nothing and is refused with that reason; StockReserved carries the
 * items at inventory's prices and the total inventory computed from them (what payment charges).
 * The customer's kept holds (a cancelled order's stock awaiting its delayed release) count
 * as theirs: the new order takes from them first, oldest first, then from available.
 */
export function decideReserve(
  state: InventoryState,
  order: { orderId: string; customerId: string; items: OrderItem[]; total: number },
): InventoryDecision {
  if (state.reservation) return nothing;
  const prices = state.prices ?? new Map<string, number>();
  const refusal = priceRefusal(prices, order.items);
  if (refusal) return reject(order, refusal);
  const lines = linesOf(order.items);
  const kept = state.keptHolds ?? [];
  const keptOf = (sku: string) => kept.reduce((n, h) => n + (h.lines.find((l) => l.sku === sku)?.quantity ?? 0), 0);
  const shortages = lines
    .map((l) => ({ sku: l.sku, requested: l.quantity, available: (state.stock.get(l.sku)?.available ?? 0) + keptOf(l.sku) }))
    .filter((s) => s.available < s.requested);
  if (shortages.length > 0) return reject(order, { reason: 'out_of_stock', shortages });
  const priced = order.items.map((i) => ({ ...i, unitPrice: prices.get(i.sku)! }));
  const stillNeeded = new Map(lines.map((l) => [l.sku, l.quantity]));
  const taken = takeFromKeptHolds(kept, stillNeeded, order.orderId);
  return {
    changes: {
      reservation: { orderId: order.orderId, customerId: order.customerId, status: 'HELD', lines },
      ...(taken.holds.length > 0 ? { keptHolds: taken.holds, transfers: taken.transfers } : {}),
      // What came from a kept hold is already in `held`; only the rest moves out of available.
      stock: [...stillNeeded].filter(([, q]) => q > 0).map(([sku, q]) => move(level(state, sku), 'available', 'held', q)),
    },
    events: [draft('StockReserved', { orderId: order.orderId, customerId: order.customerId, items: priced, total: totalOf(priced) }), ...taken.events],
  };
}

/** Nothing held: the reservation is REJECTED (so a redelivery or a late cancel does nothing), with the reason. */
function reject(order: { orderId: string; customerId: string }, refusal: Omit<StockReservationFailedData, 'orderId'>): InventoryDecision {
  return {
    changes: { reservation: { orderId: order.orderId, customerId: order.customerId, status: 'REJECTED', lines: [] }, stock: [] },
    events: [draft('StockReservationFailed', { orderId: order.orderId, ...refusal })],
  };
}

/** Takes what `stillNeeded` asks for out of the kept holds, oldest first; lowers `stillNeeded`. */
function takeFromKeptHolds(kept: readonly Reservation[], stillNeeded: Map<string, number>, toOrderId: string) {
  const holds: Reservation[] = [];
  const transfers: HoldTransfer[] = [];
  const events: EventDraft[] = [];
  for (const hold of kept) {
    const items: StockLine[] = [];
    const remaining: StockLine[] = [];
    for (const line of hold.lines) {
      const take = Math.min(line.quantity, stillNeeded.get(line.sku) ?? 0);
      if (take > 0) {
        items.push({ sku: line.sku, quantity: take });
        stillNeeded.set(line.sku, stillNeeded.get(line.sku)! - take);
        transfers.push({ fromOrderId: hold.orderId, toOrderId, sku: line.sku, quantity: take });
      }
      if (line.quantity > take) remaining.push({ sku: line.sku, quantity: line.quantity - take });
    }
    if (items.length === 0) continue;
    holds.push({ ...hold, status: remaining.length > 0 ? 'RELEASING' : 'TRANSFERRED', lines: remaining });
    // The event belongs to the cancelled order's saga, whose hold it ends or shrinks.
    events.push({ ...draft('StockHoldTransferred', { orderId: hold.orderId, toOrderId, items, remaining }), sagaId: hold.orderId });
  }
  return { holds, transfers, events };
}

/** TCC confirm: the hold becomes a sale. Only a HELD reservation moves. */
export function decideCommit(state: InventoryState): InventoryDecision {
  const r = state.reservation;
  if (r?.status !== 'HELD') return nothing;
  return {
    changes: { reservation: { ...r, status: 'COMMITTED' }, stock: r.lines.map((l) => move(level(state, l.sku), 'held', 'sold', l.quantity)) },
    events: [draft('StockCommitted', { orderId: r.orderId, items: r.lines })],
  };
}

/**
 * TCC cancel: a HELD (or kept, RELEASING) reservation goes back to available. With no
 * reservation yet the cancel came first: it leaves a tombstone so the late try holds nothing
 * (barrier).
 */
export function decideRelease(state: InventoryState, orderId: string, reason: ReleaseReason): InventoryDecision {
  const r = state.reservation;
  if (!r) return { changes: { reservation: { orderId, status: 'CANCELLED', lines: [] }, stock: [] } };
  if (r.status !== 'HELD' && r.status !== 'RELEASING') return nothing;
  return {
    changes: { reservation: { ...r, status: 'RELEASED' }, stock: r.lines.map((l) => move(level(state, l.sku), 'held', 'available', l.quantity)) },
    events: [draft('StockReleased', { orderId: r.orderId, items: r.lines, reason })],
  };
}

/**
 * A cancellation with a release delay: a HELD reservation is kept (RELEASING) for its
 * customer until `now + delayMs`, when a durable timer releases what is left of it; everything
 * else is decided at once. A kept hold already has its timer.
 */
export function decideCancellation(state: InventoryState, orderId: string, reason: ReleaseReason, now: Date, delayMs: number): InventoryDecision {
  const r = state.reservation;
  if (r?.status === 'RELEASING') return nothing;
  if (delayMs > 0 && r?.status === 'HELD') {
    return {
      changes: { reservation: { ...r, status: 'RELEASING' }, stock: [] },
      arm: [{ kind: RELEASE_HOLD, key: orderId, dueAt: new Date(now.getTime() + delayMs), payload: { reason } }],
    };
  }
  return decideRelease(state, orderId, reason);
}

/**
 * A refunded order's sold items go back to available, once. Only a confirmed order is refunded,
 * so a reservation still HELD means its OrderConfirmed is on its way (another consumer, behind
 * this one): the sale is committed and restocked at once (StockCommitted, then StockRestocked),
 * and the late OrderConfirmed finds it RESTOCKED and does nothing.
 */
export function decideRestock(state: InventoryState): InventoryDecision {
  const r = state.reservation;
  if (r?.status === 'HELD') {
    const committed = decideCommit(state);
    const restocked = decideRestock({ ...state, ...apply(state, committed) });
    return { changes: restocked.changes, events: [...(committed.events ?? []), ...(restocked.events ?? [])] };
  }
  if (r?.status !== 'COMMITTED') return nothing;
  return {
    changes: { reservation: { ...r, status: 'RESTOCKED' }, stock: r.lines.map((l) => move(level(state, l.sku), 'sold', 'available', l.quantity)) },
    events: [draft('StockRestocked', { orderId: r.orderId, items: r.lines })],
  };
}

/** The reservation and stock levels after `decision`'s changes (what the store would load next). */
function apply(state: InventoryState, decision: InventoryDecision): Pick<InventoryState, 'reservation' | 'stock'> {
  const stock = new Map(state.stock);
  for (const l of decision.changes?.stock ?? []) stock.set(l.sku, l);
  return { reservation: decision.changes?.reservation ?? state.reservation, stock };
}

/** Sets the quantity free for new holds; held and sold stock stay as they are. */
export function decideSetStock(state: InventoryState, command: SetStockData): InventoryDecision {
  const before = level(state, command.sku);
  return { changes: { stock: [{ ...before, available: command.quantity, received: before.received + (command.quantity - before.available) }] } };
}

/** Sets the price of a sku: from now on an order must carry it, and the sku is for sale. */
export function decideSetPrice(command: SetPriceData): InventoryDecision {
  return { changes: { stock: [], prices: [{ sku: command.sku, unitPrice: command.unitPrice }] } };
}

function level(state: InventoryState, sku: string): StockLevel {
  return state.stock.get(sku) ?? emptyLevel(sku);
}

type Bucket = 'available' | 'held' | 'sold';

function move(l: StockLevel, from: Bucket, to: Bucket, quantity: number): StockLevel {
  return { ...l, [from]: l[from] - quantity, [to]: l[to] + quantity };
}
