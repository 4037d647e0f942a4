import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { OrderItem } from '@jetsaga/events';


export const orderStatuses = ['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED'] as const;

export const orders = sqliteTable('orders', {
  orderId: text('order_id').primaryKey(),
  customerId: text('customer_id').notNull(),
  status: text('status', { enum: orderStatuses }).notNull(),
  items: text('items', { mode: 'json' }).$type<OrderItem[]>().notNull(),
  total: integer('total').notNull(),
  cancelReason: text('cancel_reason'),
  refundReason: text('refund_reason'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  // the saga list, newest first, paged (the `sagas` query)
  index('orders_created').on(t.createdAt, t.orderId),
]);
