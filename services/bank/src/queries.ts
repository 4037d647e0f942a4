import { type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import type { BankTx } from './store.js';

/**
 * A bank's side of each transfer saga (for `jetsaga reconcile`): its freeze (kind `freeze`, as
 * the source) and its credit (kind `credit`, as the destination), each with its account; and its
 * own invariants: no bucket below zero, each account's buckets equal to its freezes and credits.
 */
export const bankQueries: ServiceQueries<BankTx> = {
  sides: (tx, q) =>
    sidesPage(tx, q, {
      from: `(SELECT transfer_id, 'freeze' AS side_kind, status, account_id, amount, updated_at FROM freezes
              UNION ALL SELECT transfer_id, 'credit' AS side_kind, status, account_id, amount, updated_at FROM credits) bank_sides`,
      sagaId: 'transfer_id',
      kind: 'side_kind',
      status: 'status',
      customerId: 'account_id',
      amount: 'amount',
      updatedAt: 'updated_at',
    }),
  problems: (tx) => {
    const rows = tx.$client
      .prepare(
        `SELECT a.account_id AS accountId, a.balance, a.frozen, a.pending, a.deposited, a.sent, a.received,
                (SELECT coalesce(sum(amount), 0) FROM freezes f WHERE f.account_id = a.account_id AND f.status = 'FROZEN') AS frozenFreezes,
                (SELECT coalesce(sum(amount), 0) FROM freezes f WHERE f.account_id = a.account_id AND f.status = 'DEBITED') AS debited,
                (SELECT coalesce(sum(amount), 0) FROM credits c WHERE c.account_id = a.account_id AND c.status = 'PENDING') AS pendingCredits,
                (SELECT coalesce(sum(amount), 0) FROM credits c WHERE c.account_id = a.account_id AND c.status = 'CREDITED') AS credited
           FROM accounts a ORDER BY a.account_id`,
      )
      .all() as { accountId: string; balance: number; frozen: number; pending: number; deposited: number; sent: number; received: number; frozenFreezes: number; debited: number; pendingCredits: number; credited: number }[];
    const problems: string[] = [];
    for (const a of rows) {
      const at = `account ${a.accountId}`;
      if (a.balance < 0 || a.frozen < 0 || a.pending < 0) problems.push(`${at}: below zero (balance ${a.balance}, frozen ${a.frozen}, pending ${a.pending})`);
      if (a.balance + a.frozen !== a.deposited + a.received - a.sent) problems.push(`${at}: balance ${a.balance} + frozen ${a.frozen} != deposited ${a.deposited} + received ${a.received} - sent ${a.sent}`);
      if (a.frozen !== a.frozenFreezes) problems.push(`${at}: frozen ${a.frozen} but its FROZEN freezes hold ${a.frozenFreezes}`);
      if (a.pending !== a.pendingCredits) problems.push(`${at}: pending ${a.pending} but its PENDING credits hold ${a.pendingCredits}`);
      if (a.sent !== a.debited) problems.push(`${at}: sent ${a.sent} but its DEBITED freezes are ${a.debited}`);
      if (a.received !== a.credited) problems.push(`${at}: received ${a.received} but its CREDITED credits are ${a.credited}`);
    }
    return problems;
  },
};
