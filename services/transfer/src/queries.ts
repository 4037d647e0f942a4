import { sagasPage, type ServiceQueries } from '@jetsaga/messaging';
import { DEADLINE } from './decide.js';
import type { TransferTx } from './store.js';

/** Transfer's sagas, newest first: the `sagas` query (`jetsaga sagas`, the console). */
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
};
