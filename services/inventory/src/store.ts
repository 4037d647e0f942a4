import { and, asc, eq, inArray } from 'drizzle-orm';
import type { EffectContext, ServiceTx } from '@jetsaga/messaging';
import type { InventoryDecision, InventoryState, Reservation, StockLevel } from './decide.js';
import * as schema from './schema.js';

export type InventoryTx = ServiceTx<typeof schema>;

export function loadStock(tx: InventoryTx, skus: string[]): Map<string, StockLevel> {
  if (skus.length === 0) return new Map();
  const rows = tx.select().from(schema.stock).where(inArray(schema.stock.sku, skus)).all();
  return new Map(rows.map((r) => [r.sku, { sku: r.sku, available: r.available, held: r.held, sold: r.sold, received: r.received }]));
}

type ReservationRow = typeof schema.reservations.$inferSelect;

function withLines(tx: InventoryTx, row: ReservationRow): Reservation {
  const lines = tx
    .select({ sku: schema.reservationLines.sku, quantity: schema.reservationLines.quantity })
    .from(schema.reservationLines)
    .where(eq(schema.reservationLines.orderId, row.orderId))
    .all();
  return { orderId: row.orderId, ...(row.customerId ? { customerId: row.customerId } : {}), status: row.status, lines };
}

export function loadReservation(tx: InventoryTx, orderId: string): Reservation | undefined {
  const row = tx.select().from(schema.reservations).where(eq(schema.reservations.orderId, orderId)).get();
  return row && withLines(tx, row);
}

/** The customer's kept holds (cancelled, awaiting their delayed release), oldest first. */
export function loadKeptHolds(tx: InventoryTx, customerId: string): Reservation[] {
  return tx
    .select()
    .from(schema.reservations)
    .where(and(eq(schema.reservations.customerId, customerId), eq(schema.reservations.status, 'RELEASING')))
    .orderBy(asc(schema.reservations.createdAt), asc(schema.reservations.orderId))
    .all()
    .map((row) => withLines(tx, row));
}

/** The state a decision about `orderId` needs: its reservation and the stock of its skus. */
export function loadState(tx: InventoryTx, orderId: string, skus: string[] = []): InventoryState {
  const reservation = loadReservation(tx, orderId);
  const allSkus = new Set([...skus, ...(reservation?.lines.map((l) => l.sku) ?? [])]);
  return { reservation, stock: loadStock(tx, [...allSkus]) };
}

export function saveStock(tx: InventoryTx, levels: StockLevel[], now: number): void {
  for (const l of levels) {
    const values = { available: l.available, held: l.held, sold: l.sold, received: l.received, updatedAt: now };
    tx.insert(schema.stock)
      .values({ sku: l.sku, ...values })
      .onConflictDoUpdate({ target: schema.stock.sku, set: values })
      .run();
  }
}

export function saveDecision(tx: InventoryTx, decision: InventoryDecision, now: number): void {
  const r = decision.reservation;
  if (r) {
    tx.insert(schema.reservations)
      .values({ orderId: r.orderId, customerId: r.customerId ?? null, status: r.status, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: schema.reservations.orderId, set: { status: r.status, updatedAt: now } })
      .run();
    for (const line of r.lines) {
      tx.insert(schema.reservationLines).values({ orderId: r.orderId, ...line }).onConflictDoNothing().run();
    }
  }
  for (const hold of decision.keptHolds ?? []) saveShrunkHold(tx, hold, now);
  for (const transfer of decision.transfers ?? []) tx.insert(schema.holdTransfers).values({ ...transfer, createdAt: now }).run();
  saveStock(tx, decision.stock, now);
}

/** A kept hold after a re-order took from it: its new status and the lines it still holds. */
function saveShrunkHold(tx: InventoryTx, hold: Reservation, now: number): void {
  tx.update(schema.reservations).set({ status: hold.status, updatedAt: now }).where(eq(schema.reservations.orderId, hold.orderId)).run();
  tx.delete(schema.reservationLines).where(eq(schema.reservationLines.orderId, hold.orderId)).run();
  for (const line of hold.lines) tx.insert(schema.reservationLines).values({ orderId: hold.orderId, ...line }).run();
}

/** Saves the decision, arms a delayed release if it asks for one, and emits its events. */
export function applyDecision({ tx, now, emit, schedule }: EffectContext<InventoryTx>, decision: InventoryDecision, orderId: string, payload?: unknown): void {
  saveDecision(tx, decision, now.getTime());
  if (decision.releaseAt) schedule({ kind: 'ReleaseHold', key: orderId, dueAt: decision.releaseAt, payload });
  decision.events.forEach(emit);
}
