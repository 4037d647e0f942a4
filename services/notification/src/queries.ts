import { type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import type { NotificationTx } from './store.js';

/** Notification's side of each order saga: one notice per kind (confirmed, cancelled, refunded), and whether it went out. */
export const notificationQueries: ServiceQueries<NotificationTx> = {
  sides: (tx, q) =>
    sidesPage(tx, q, {
      from: 'notifications',
      sagaId: 'order_id',
      kind: "'notice:' || kind",
      status: 'status',
      customerId: 'customer_id',
      amount: 'NULL',
      updatedAt: 'coalesce(sent_at, next_attempt_at, created_at)',
      where: 'order_id IS NOT NULL',
    }),
};
