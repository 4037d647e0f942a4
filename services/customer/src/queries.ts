import { sagasPage, type ServiceQueries } from '@jetsaga/messaging';
import type { CustomerTx } from './store.js';

/** Customer's sagas (registrations, saga id = customer id), newest first: the `sagas` query. */
export const customerQueries: ServiceQueries<CustomerTx> = {
  sagas: (tx, q, now) =>
    sagasPage(
      tx,
      q,
      {
        from: 'customers',
        kind: 'registration',
        sagaId: 'customer_id',
        state: "'REGISTERED'",
        reason: 'NULL',
        customerId: 'customer_id',
        amount: 'NULL',
        createdAt: 'registered_at',
        updatedAt: 'registered_at',
        terminal: ['REGISTERED'],
        failed: [],
      },
      now,
    ),
};
