import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Summed over wallets: balance + captured == credited; never negative. */
export const wallets = sqliteTable('wallets', {
  customerId: text('customer_id').primaryKey(),
  balance: integer('balance').notNull(),
  credited: integer('credited').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** At most one payment per order: the primary key is what makes "charged twice" impossible. */
export const payments = sqliteTable('payments', {
  orderId: text('order_id').primaryKey(),
  paymentId: text('payment_id').notNull(),
  customerId: text('customer_id').notNull(),
  amount: integer('amount').notNull(),
  status: text('status', { enum: ['CAPTURED', 'FAILED', 'REFUNDED', 'VOIDED'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
