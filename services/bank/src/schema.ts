import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One bank's accounts. Per account: balance + frozen == deposited + received - sent (frozen
 * money is still the account's, out of its balance); `pending` is credit promised by a transfer
 * and not yet confirmed (not in the balance). None is ever negative; balance + frozen + pending
 * is at most 1000000000000.
 */
export const accounts = sqliteTable('accounts', {
  accountId: text('account_id').primaryKey(),
  balance: integer('balance').notNull(),
  frozen: integer('frozen').notNull(),
  pending: integer('pending').notNull(),
  deposited: integer('deposited').notNull(),
  /** Confirmed debits (freezes turned into debits) and credits, summed. */
  sent: integer('sent').notNull(),
  received: integer('received').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const freezeStatuses = ['FROZEN', 'DEBITED', 'RELEASED', 'REFUSED', 'CANCELLED'] as const;

/**
 * This bank as a transfer's source, TCC style: FROZEN (try), DEBITED (confirm), RELEASED (cancel
 * after the try), REFUSED (the try refused), CANCELLED (tombstone: the cancel came first). At
 * most one per transfer: the primary key is what makes "frozen twice" impossible.
 */
export const freezes = sqliteTable('freezes', {
  transferId: text('transfer_id').primaryKey(),
  accountId: text('account_id').notNull(),
  amount: integer('amount').notNull(),
  status: text('status', { enum: freezeStatuses }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const creditStatuses = ['PENDING', 'CREDITED', 'DROPPED', 'REFUSED', 'CANCELLED'] as const;

/**
 * This bank as a transfer's destination: PENDING (try), CREDITED (confirm), DROPPED (cancel
 * after the try), REFUSED, CANCELLED (tombstone). At most one per transfer.
 */
export const credits = sqliteTable('credits', {
  transferId: text('transfer_id').primaryKey(),
  accountId: text('account_id').notNull(),
  amount: integer('amount').notNull(),
  status: text('status', { enum: creditStatuses }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
