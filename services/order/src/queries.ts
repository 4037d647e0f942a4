import type { SagasQuery, SidesQuery } from '@jetsaga/events';
import { sagasPage, type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import { DEADLINE } from './decide.js';
import type { OrderTx } from './store.js';

/** Order's sagas (the list, newest first: index orders_created) and its side of each (the order). */
export const orderQueries: ServiceQueries<OrderTx> = {
  sagas: (tx: OrderTx, q: SagasQuery, now: Date) =>
    sagasPage(
      tx,
      q,
      {
        from: 'orders',
        kind: 'order',
        sagaId: 'order_id',
        state: 'status',
        reason: 'coalesce(cancel_reason, refund_reason)',
        customerId: 'customer_id',
        amount: 'total',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
        terminal: ['CONFIRMED', 'CANCELLED', 'REFUNDED'],
        failed: ['CANCELLED'],
        deadline: DEADLINE,
      },
      now,
    ),
  sides: (tx: OrderTx, q: SidesQuery) =>
    sidesPage(tx, q, { from: 'orders', sagaId: 'order_id', kind: "'order'", status: 'status', customerId: 'customer_id', amount: 'total', updatedAt: 'updated_at' }),
};
