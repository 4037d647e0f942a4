import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Per customer: balance - debt == the points of their CONFIRMED entries plus their welcome
 * points; pending points never count.
 */
export const accounts = sqliteTable('accounts', {
  customerId: text('customer_id').primaryKey(),
  balance: integer('balance').notNull(),
  debt: integer('debt').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * One order's points, TCC style: PENDING (try, on payment), CONFIRMED (on order confirmed),
 * CANCELLED (pending dropped, or the tombstone of a cancel that came first), REVERTED.
 */
export const entries = sqliteTable('entries', {
  orderId: text('order_id').primaryKey(),
  customerId: text('customer_id').notNull(),
  points: integer('points').notNull(),
  status: text('status', { enum: ['PENDING', 'CONFIRMED', 'CANCELLED', 'REVERTED'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** The welcome points of a registered customer: at most one row per customer, so they are awarded once. */
export const welcomes = sqliteTable('welcomes', {
  customerId: text('customer_id').primaryKey(),
  points: integer('points').notNull(),
  createdAt: integer('created_at').notNull(),
});
