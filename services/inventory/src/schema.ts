import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export { consumerStats, inbox, outbox, stepLog, timers } from '@jetsaga/messaging/schema';

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

/**
 * One order's hold: TCC try (HELD), confirm (COMMITTED), cancel (RELEASED). REJECTED held
 * nothing; CANCELLED is the tombstone of a cancel that came before the try; RESTOCKED: a
 * refund put the sold items back.
 */
export const reservations = sqliteTable('reservations', {
  orderId: text('order_id').primaryKey(),
  status: text('status', { enum: ['HELD', 'COMMITTED', 'RELEASED', 'REJECTED', 'CANCELLED', 'RESTOCKED'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

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
