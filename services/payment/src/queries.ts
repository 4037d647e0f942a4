import { type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import type { PaymentTx } from './store.js';

/** Payment's side of each order saga (its payment), and its own invariants: money conserved, no negative wallet. */
export const paymentQueries: ServiceQueries<PaymentTx> = {
  sides: (tx, q) =>
    sidesPage(tx, q, {
      from: 'payments',
      sagaId: 'order_id',
      kind: "'payment'",
      status: 'status',
      customerId: 'customer_id',
      amount: 'amount',
      updatedAt: 'updated_at',
    }),
  problems: (tx) => {
    const problems: string[] = [];
    for (const w of tx.$client.prepare('SELECT customer_id AS customerId, balance FROM wallets WHERE balance < 0').all() as { customerId: string; balance: number }[]) {
      problems.push(`wallet ${w.customerId}: negative balance ${w.balance}`);
    }
    const { balances, credited } = tx.$client.prepare('SELECT coalesce(sum(balance), 0) AS balances, coalesce(sum(credited), 0) AS credited FROM wallets').get() as { balances: number; credited: number };
    const { captured } = tx.$client.prepare("SELECT coalesce(sum(amount), 0) AS captured FROM payments WHERE status = 'CAPTURED'").get() as { captured: number };
    if (balances + captured !== credited) problems.push(`money: wallets ${balances} + captured ${captured} != credited ${credited}`);
    return problems;
  },
};
