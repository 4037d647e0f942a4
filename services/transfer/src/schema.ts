import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const transferStatuses = ['PENDING', 'CONFIRMED', 'COMPLETED', 'FAILED'] as const;

/**
 * One transfer: PENDING until both tries held (CONFIRMED) or one was refused or the deadline
 * passed (FAILED); COMPLETED once both banks confirmed. The flags record which banks' answers
 * it has seen (the source's freeze, the destination's pending credit, and their confirms).
 */
export const transfers = sqliteTable('transfers', {
  transferId: text('transfer_id').primaryKey(),
  fromBank: text('from_bank').notNull(),
  fromAccount: text('from_account').notNull(),
  toBank: text('to_bank').notNull(),
  toAccount: text('to_account').notNull(),
  amount: integer('amount').notNull(),
  status: text('status', { enum: transferStatuses }).notNull(),
  frozen: integer('frozen', { mode: 'boolean' }).notNull(),
  creditPrepared: integer('credit_prepared', { mode: 'boolean' }).notNull(),
  freezeConfirmed: integer('freeze_confirmed', { mode: 'boolean' }).notNull(),
  creditConfirmed: integer('credit_confirmed', { mode: 'boolean' }).notNull(),
  failReason: text('fail_reason'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
