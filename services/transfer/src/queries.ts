import { sagasPage, type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import { DEADLINE } from './decide.js';
import type { TransferTx } from './store.js';

/** Transfer's sagas, newest first: the `sagas` query (`jetsaga sagas`, the console); and its side of each (the transfer, for `jetsaga reconcile`). */
export const transferQueries: ServiceQueries<TransferTx> = {
  sagas: (tx, q, now) =>
    sagasPage(
      tx,
      q,
      {
        from: 'transfers',
        kind: 'transfer',
        sagaId: 'transfer_id',
        state: 'status',
        reason: 'fail_reason',
        customerId: 'NULL',
        amount: 'amount',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
        terminal: ['COMPLETED', 'FAILED'],
        failed: ['FAILED'],
        deadline: DEADLINE,
      },
      now,
    ),
  sides: (tx, q) =>
    sidesPage(tx, q, { from: 'transfers', sagaId: 'transfer_id', kind: "'transfer'", status: 'status', customerId: 'NULL', amount: 'amount', updatedAt: 'updated_at' }),
};
