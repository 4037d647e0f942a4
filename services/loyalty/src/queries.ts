import { type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import type { LoyaltyTx } from './store.js';

/**
 * Loyalty's side of each order saga (the order's points entry), and its own invariant: per
 * customer, balance - debt == the points of their CONFIRMED entries plus their welcome points.
 */
export const loyaltyQueries: ServiceQueries<LoyaltyTx> = {
  sides: (tx, q) =>
    sidesPage(tx, q, {
      from: 'entries',
      sagaId: 'order_id',
      kind: "'points'",
      status: 'status',
      customerId: 'customer_id',
      amount: 'points',
      updatedAt: 'updated_at',
    }),
  problems: (tx) => {
    const rows = tx.$client
      .prepare(
        `SELECT a.customer_id AS customerId, a.balance, a.debt,
                coalesce((SELECT sum(points) FROM entries e WHERE e.customer_id = a.customer_id AND e.status = 'CONFIRMED'), 0)
                + coalesce((SELECT sum(points) FROM welcomes w WHERE w.customer_id = a.customer_id), 0) AS earned
           FROM accounts a`,
      )
      .all() as { customerId: string; balance: number; debt: number; earned: number }[];
    const problems: string[] = [];
    for (const a of rows) {
      if (a.balance < 0 || a.debt < 0) problems.push(`points ${a.customerId}: negative balance or debt (${a.balance}/${a.debt})`);
      if (a.balance - a.debt !== a.earned) problems.push(`points ${a.customerId}: balance ${a.balance} - debt ${a.debt} != points earned ${a.earned}`);
    }
    return problems;
  },
};
