import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Per sku: available + held + sold == received, always. */
export const stock = sqliteTable('stock', {
  sku: text('sku').primaryKey(),
  available: integer('available').notNull(),
  held: integer('held').notNull(),
  sold: integer('sold').notNull(),
  /** Everything ever put in by SetStock (net of its reductions). */
  received: integer('received').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Inventory's price list (minor units), set by SetPrice: a sku with no row is not for sale. */
export const prices = sqliteTable('prices', {
  sku: text('sku').primaryKey(),
  unitPrice: integer('unit_price').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * One order's hold: TCC try (HELD), confirm (COMMITTED), cancel (RELEASED). RELEASING: cancelled,
 * kept for its customer until the delayed release; TRANSFERRED: all of it went to that
 * customer's new orders. REJECTED held nothing; CANCELLED is the tombstone of a cancel that
 * came before the try; RESTOCKED: a refund put the sold items back.
 */
export const reservations = sqliteTable(
  'reservations',
  {
    orderId: text('order_id').primaryKey(),
    /** Null on reservations written before customers were recorded, and on tombstones. */
    customerId: text('customer_id'),
    status: text('status', { enum: ['HELD', 'RELEASING', 'COMMITTED', 'RELEASED', 'TRANSFERRED', 'REJECTED', 'CANCELLED', 'RESTOCKED'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('reservations_customer_status').on(t.customerId, t.status)],
);

export const reservationLines = sqliteTable(
  'reservation_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => reservations.orderId),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.sku] })],
);

/** Where kept holds went: each row moved `quantity` of `sku` from a cancelled order to a re-order. */
export const holdTransfers = sqliteTable(
  'hold_transfers',
  {
    fromOrderId: text('from_order_id').notNull(),
    toOrderId: text('to_order_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fromOrderId, t.toOrderId, t.sku] })],
);

/**
 * Inventory partitioned (docs/partitions.md): at the partition owning an order id, each
 * partition's answer for the order's skus it owns (held, or refused with its reason). The
 * answer that completes the set decides StockReserved or StockReservationFailed.
 */
export const reservationParts = sqliteTable(
  'reservation_parts',
  {
    orderId: text('order_id').notNull(),
    part: integer('part').notNull(),
    /** How many partitions own skus of the order (every one answers). */
    parts: integer('parts').notNull(),
    /** StockPartHeld's or StockPartRefused's data, as it came. */
    answer: text('answer', { mode: 'json' }).notNull(),
    held: integer('held', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.part] })],
);
