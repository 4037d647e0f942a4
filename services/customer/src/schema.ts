import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Registered customers: the primary key is what makes "registered twice" impossible. */
export const customers = sqliteTable('customers', {
  customerId: text('customer_id').primaryKey(),
  email: text('email').notNull(),
  registeredAt: integer('registered_at').notNull(),
});
