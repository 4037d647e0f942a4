import {
  draft,
  type EventDraft,
  type OrderItem,
  type SetStockData,
  type StockLine,
} from '@jetsaga/events';

export interface StockLevel {
  sku: string;
  available: number;
  held: number;
  sold: number;
  received: number;
}

/**
 * CANCELLED is a tombstone: the order was cancelled before its reservation was tried.
 * RESTOCKED: a refund put the sold items back.
 */
export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED' | 'REJECTED' | 'CANCELLED' | 'RESTOCKED';

export interface Reservation {
  orderId: string;
  status: ReservationStatus;
  lines: StockLine[];
}

export interface InventoryState {
  reservation: Reservation | undefined;
  /** Levels of every sku the message touches; a missing sku has nothing in stock. */
  stock: ReadonlyMap<string, StockLevel>;
}

export interface InventoryDecision {
  reservation?: Reservation;
  stock: StockLevel[];
  events: EventDraft[];
  /** Release the hold at this time rather than now (delayed compensation). */
  releaseAt?: Date;
}

export type ReleaseReason = 'payment_failed' | 'order_cancelled';

const nothing: InventoryDecision = { stock: [], events: [] };

/** An order's items as one line per sku. */
export function linesOf(items: OrderItem[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const item of items) bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + item.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

export function emptyLevel(sku: string): StockLevel {
  return { sku, available: 0, held: 0, sold: 0, received: 0 };
}

/** TCC try: hold every line of the order, or nothing at all. A tombstone makes it a no-op. */
export function decideReserve(
  state: InventoryState,
  order: { orderId: string; customerId: string; items: OrderItem[]; total: number },
): InventoryDecision {
  if (state.reservation) return nothing;
  const lines = linesOf(order.items);
  const shortages = lines
    .map((l) => ({ sku: l.sku, requested: l.quantity, available: state.stock.get(l.sku)?.available ?? 0 }))
    .filter((s) => s.available < s.requested);
  if (shortages.length > 0) {
    return {
      reservation: { orderId: order.orderId, status: 'REJECTED', lines: [] },
      stock: [],
      events: [draft('StockReservationFailed', { orderId: order.orderId, reason: 'out_of_stock', shortages })],
    };
  }
  return {
    reservation: { orderId: order.orderId, status: 'HELD', lines },
    stock: lines.map((l) => move(level(state, l.sku), 'available', 'held', l.quantity)),
    events: [draft('StockReserved', order)],
  };
}

/** TCC confirm: the hold becomes a sale. Only a HELD reservation moves. */
export function decideCommit(state: InventoryState): InventoryDecision {
  const r = state.reservation;
  if (r?.status !== 'HELD') return nothing;
  return {
    reservation: { ...r, status: 'COMMITTED' },
    stock: r.lines.map((l) => move(level(state, l.sku), 'held', 'sold', l.quantity)),
    events: [draft('StockCommitted', { orderId: r.orderId, items: r.lines })],
  };
}

/**
 * TCC cancel: a HELD reservation goes back to available. With no reservation yet the cancel
 * came first: it leaves a tombstone so the late try holds nothing (barrier).
 */
export function decideRelease(state: InventoryState, orderId: string, reason: ReleaseReason): InventoryDecision {
  const r = state.reservation;
  if (!r) return { reservation: { orderId, status: 'CANCELLED', lines: [] }, stock: [], events: [] };
  if (r.status !== 'HELD') return nothing;
  return {
    reservation: { ...r, status: 'RELEASED' },
    stock: r.lines.map((l) => move(level(state, l.sku), 'held', 'available', l.quantity)),
    events: [draft('StockReleased', { orderId: r.orderId, items: r.lines, reason })],
  };
}

/**
 * A cancellation with a release delay: a HELD reservation stays held until `now + delayMs`
 * (a durable timer then releases it); everything else is decided at once.
 */
export function decideCancellation(state: InventoryState, orderId: string, reason: ReleaseReason, now: Date, delayMs: number): InventoryDecision {
  if (delayMs > 0 && state.reservation?.status === 'HELD') return { stock: [], events: [], releaseAt: new Date(now.getTime() + delayMs) };
  return decideRelease(state, orderId, reason);
}

/** A refunded order's sold items go back to available, once. */
export function decideRestock(state: InventoryState): InventoryDecision {
  const r = state.reservation;
  if (r?.status !== 'COMMITTED') return nothing;
  return {
    reservation: { ...r, status: 'RESTOCKED' },
    stock: r.lines.map((l) => move(level(state, l.sku), 'sold', 'available', l.quantity)),
    events: [draft('StockRestocked', { orderId: r.orderId, items: r.lines })],
  };
}

/** Sets the quantity free for new holds; held and sold stock stay as they are. */
export function decideSetStock(current: StockLevel | undefined, command: SetStockData): StockLevel {
  const before = current ?? emptyLevel(command.sku);
  return { ...before, available: command.quantity, received: before.received + (command.quantity - before.available) };
}

function level(state: InventoryState, sku: string): StockLevel {
  return state.stock.get(sku) ?? emptyLevel(sku);
}

type Bucket = 'available' | 'held' | 'sold';

function move(l: StockLevel, from: Bucket, to: Bucket, quantity: number): StockLevel {
  return { ...l, [from]: l[from] - quantity, [to]: l[to] + quantity };
}
