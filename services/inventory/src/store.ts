import { and, asc, eq } from 'drizzle-orm';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { InventoryChanges, InventoryState, PartAnswer, Reservation, StockLevel } from './decide.js';
import type { InventoryInput } from './react.js';
import * as schema from './schema.js';

export type InventoryTx = ServiceTx<typeof schema>;

const { stock, prices, reservations, reservationLines, holdTransfers, reservationParts } = schema;
const selectStock = preparedQuery((tx: InventoryTx) => tx.select().from(stock).where(eq(stock.sku, p('sku'))).prepare());
const upsertStock = preparedQuery((tx: InventoryTx) =>
  tx
    .insert(stock)
    .values({ sku: p('sku'), available: p('available'), held: p('held'), sold: p('sold'), received: p('received'), updatedAt: p('now') })
    .onConflictDoUpdate({
      target: stock.sku,
      set: { available: excluded(stock.available), held: excluded(stock.held), sold: excluded(stock.sold), received: excluded(stock.received), updatedAt: excluded(stock.updatedAt) },
    })
    .prepare(),
);
const selectPrice = preparedQuery((tx: InventoryTx) => tx.select({ unitPrice: prices.unitPrice }).from(prices).where(eq(prices.sku, p('sku'))).prepare());
const upsertPrice = preparedQuery((tx: InventoryTx) =>
  tx
    .insert(prices)
    .values({ sku: p('sku'), unitPrice: p('unitPrice'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: prices.sku, set: { unitPrice: excluded(prices.unitPrice), updatedAt: excluded(prices.updatedAt) } })
    .prepare(),
);
const selectReservation = preparedQuery((tx: InventoryTx) => tx.select().from(reservations).where(eq(reservations.orderId, p('orderId'))).prepare());
const selectLines = preparedQuery((tx: InventoryTx) =>
  tx.select({ sku: reservationLines.sku, quantity: reservationLines.quantity }).from(reservationLines).where(eq(reservationLines.orderId, p('orderId'))).prepare(),
);
const selectKeptHolds = preparedQuery((tx: InventoryTx) =>
  tx
    .select()
    .from(reservations)
    .where(and(eq(reservations.customerId, p('customerId')), eq(reservations.status, 'RELEASING')))
    .orderBy(asc(reservations.createdAt), asc(reservations.orderId))
    .prepare(),
);
const upsertReservation = preparedQuery((tx: InventoryTx) =>
  tx
    .insert(reservations)
    .values({ orderId: p('orderId'), customerId: p('customerId'), status: p('status'), createdAt: p('now'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: reservations.orderId, set: { status: excluded(reservations.status), updatedAt: excluded(reservations.updatedAt) } })
    .prepare(),
);
const insertLine = preparedQuery((tx: InventoryTx) =>
  tx.insert(reservationLines).values({ orderId: p('orderId'), sku: p('sku'), quantity: p('quantity') }).onConflictDoNothing().prepare(),
);

export function loadStock(tx: InventoryTx, skus: string[]): Map<string, StockLevel> {
  const levels = new Map<string, StockLevel>();
  for (const sku of skus) {
    const r = selectStock(tx).get({ sku });
    if (r) levels.set(sku, { sku, available: r.available, held: r.held, sold: r.sold, received: r.received });
  }
  return levels;
}

/** The current price of each sku that has one. */
export function loadPrices(tx: InventoryTx, skus: string[]): Map<string, number> {
  const found = new Map<string, number>();
  for (const sku of skus) {
    const r = selectPrice(tx).get({ sku });
    if (r) found.set(sku, r.unitPrice);
  }
  return found;
}

type ReservationRow = typeof reservations.$inferSelect;

function withLines(tx: InventoryTx, row: ReservationRow): Reservation {
  const lines = selectLines(tx).all({ orderId: row.orderId });
  return { orderId: row.orderId, ...(row.customerId ? { customerId: row.customerId } : {}), status: row.status, lines };
}

export function loadReservation(tx: InventoryTx, orderId: string): Reservation | undefined {
  const row = selectReservation(tx).get({ orderId });
  return row && withLines(tx, row);
}

/** The customer's kept holds (cancelled, awaiting their delayed release), oldest first. */
export function loadKeptHolds(tx: InventoryTx, customerId: string): Reservation[] {
  return selectKeptHolds(tx)
    .all({ customerId })
    .map((row) => withLines(tx, row));
}

/** The state a decision about `orderId` needs: its reservation and the stock of its skus. */
function loadOrderState(tx: InventoryTx, orderId: string, skus: string[] = []): InventoryState {
  const reservation = loadReservation(tx, orderId);
  const allSkus = new Set([...skus, ...(reservation?.lines.map((l) => l.sku) ?? [])]);
  return { reservation, stock: loadStock(tx, [...allSkus]) };
}

/** What the router needs for an input: a new order also needs its customer's kept holds. */
export function loadState(tx: InventoryTx, input: InventoryInput): InventoryState {
  switch (input.type) {
    case 'SetStock':
      return { reservation: undefined, stock: loadStock(tx, [input.data.sku]) };
    case 'SetPrice':
      return { reservation: undefined, stock: new Map() };
    case 'OrderCreated': {
      const order = input.data;
      const skus = order.items.map((i) => i.sku);
      return { ...loadOrderState(tx, order.orderId, skus), keptHolds: loadKeptHolds(tx, order.customerId), prices: loadPrices(tx, skus) };
    }
    case 'ReleaseHold':
      return loadOrderState(tx, input.key);
    case 'StockPartHeld':
    case 'StockPartRefused':
      return { reservation: undefined, stock: new Map(), answers: loadAnswers(tx, input.data.orderId) };
    default:
      return loadOrderState(tx, input.data.orderId);
  }
}

const selectAnswers = preparedQuery((tx: InventoryTx) => tx.select().from(reservationParts).where(eq(reservationParts.orderId, p('orderId'))).prepare());

/** The answers of an order's parts kept so far (at the partition that decides the order). */
export function loadAnswers(tx: InventoryTx, orderId: string): PartAnswer[] {
  return selectAnswers(tx)
    .all({ orderId })
    .map((r) => ({ held: r.held, data: r.answer }) as PartAnswer);
}

export function saveStock(tx: InventoryTx, levels: StockLevel[], now: number): void {
  for (const l of levels) upsertStock(tx).run({ sku: l.sku, available: l.available, held: l.held, sold: l.sold, received: l.received, now });
}

export function saveChanges(tx: InventoryTx, changes: InventoryChanges, now: number): void {
  const r = changes.reservation;
  if (r) {
    upsertReservation(tx).run({ orderId: r.orderId, customerId: r.customerId ?? null, status: r.status, now });
    for (const line of r.lines) insertLine(tx).run({ orderId: r.orderId, sku: line.sku, quantity: line.quantity });
  }
  for (const hold of changes.keptHolds ?? []) saveShrunkHold(tx, hold, now);
  for (const transfer of changes.transfers ?? []) tx.insert(holdTransfers).values({ ...transfer, createdAt: now }).run();
  saveStock(tx, changes.stock, now);
  for (const price of changes.prices ?? []) upsertPrice(tx).run({ sku: price.sku, unitPrice: price.unitPrice, now });
  const a = changes.partAnswer;
  if (a) tx.insert(reservationParts).values({ orderId: a.data.orderId, part: a.data.part, parts: a.data.parts.length, answer: a.data, held: a.held, createdAt: now }).run();
}

/** A kept hold after a re-order took from it: its new status and the lines it still holds. */
function saveShrunkHold(tx: InventoryTx, hold: Reservation, now: number): void {
  tx.update(reservations).set({ status: hold.status, updatedAt: now }).where(eq(reservations.orderId, hold.orderId)).run();
  tx.delete(reservationLines).where(eq(reservationLines.orderId, hold.orderId)).run();
  for (const line of hold.lines) insertLine(tx).run({ orderId: hold.orderId, sku: line.sku, quantity: line.quantity });
}
