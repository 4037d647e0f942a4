import { eq, inArray } from 'drizzle-orm';
import type { EffectContext, ServiceTx } from '@jetsaga/messaging';
import type { InventoryDecision, InventoryState, Reservation, StockLevel } from './decide.js';
import * as schema from './schema.js';

export type InventoryTx = ServiceTx<typeof schema>;

export function loadStock(tx: InventoryTx, skus: string[]): Map<string, StockLevel> {
  if (skus.length === 0) return new Map();
  const rows = tx.select().from(schema.stock).where(inArray(schema.stock.sku, skus)).all();
  return new Map(rows.map((r) => [r.sku, { sku: r.sku, available: r.available, held: r.held, sold: r.sold, received: r.received }]));
}

export function loadReservation(tx: InventoryTx, orderId: string): Reservation | undefined {
  const row = tx.select().from(schema.reservations).where(eq(schema.reservations.orderId, orderId)).get();
  if (!row) return undefined;
  const lines = tx
    .select({ sku: schema.reservationLines.sku, quantity: schema.reservationLines.quantity })
    .from(schema.reservationLines)
    .where(eq(schema.reservationLines.orderId, orderId))
    .all();
  return { orderId, status: row.status, lines };
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
      .values({ orderId: r.orderId, status: r.status, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: schema.reservations.orderId, set: { status: r.status, updatedAt: now } })
      .run();
    for (const line of r.lines) {
      tx.insert(schema.reservationLines).values({ orderId: r.orderId, ...line }).onConflictDoNothing().run();
    }
  }
  saveStock(tx, decision.stock, now);
}

/** Saves the decision, arms a delayed release if it asks for one, and emits its events. */
export function applyDecision({ tx, now, emit, schedule }: EffectContext<InventoryTx>, decision: InventoryDecision, orderId: string, payload?: unknown): void {
  saveDecision(tx, decision, now.getTime());
  if (decision.releaseAt) schedule({ kind: 'ReleaseHold', key: orderId, dueAt: decision.releaseAt, payload });
  decision.events.forEach(emit);
}
