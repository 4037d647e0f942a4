import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The local message table: one row per (order, kind), or per customer for a welcome, written in the reaction's transaction,
 * delivered afterwards by the delivery worker through the configured sender.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    /** Null for a notice that is not about an order (a welcome). */
    orderId: text('order_id'),
    kind: text('kind', { enum: ['confirmed', 'cancelled', 'refunded', 'welcome'] }).notNull(),
    customerId: text('customer_id').notNull(),
    message: text('message').notNull(),
    status: text('status', { enum: ['PENDING', 'SENT', 'FAILED'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('notifications_due').on(t.nextAttemptAt).where(sql`status = 'PENDING'`)],
);
