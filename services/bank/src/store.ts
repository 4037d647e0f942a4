import { eq } from 'drizzle-orm';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Account, BankChanges, BankState, Credit, Freeze } from './decide.js';
import type { BankInput } from './react.js';
import * as schema from './schema.js';

export type BankTx = ServiceTx<typeof schema>;

const selectFreeze = preparedQuery((tx: BankTx) => tx.select().from(schema.freezes).where(eq(schema.freezes.transferId, p('transferId'))).prepare());
const selectCredit = preparedQuery((tx: BankTx) => tx.select().from(schema.credits).where(eq(schema.credits.transferId, p('transferId'))).prepare());
const selectAccount = preparedQuery((tx: BankTx) => tx.select().from(schema.accounts).where(eq(schema.accounts.accountId, p('accountId'))).prepare());
const upsertAccount = preparedQuery((tx: BankTx) =>
  tx
    .insert(schema.accounts)
    .values({
      accountId: p('accountId'),
      balance: p('balance'),
      frozen: p('frozen'),
      pending: p('pending'),
      deposited: p('deposited'),
      sent: p('sent'),
      received: p('received'),
      updatedAt: p('now'),
    })
    .onConflictDoUpdate({
      target: schema.accounts.accountId,
      set: {
        balance: excluded(schema.accounts.balance),
        frozen: excluded(schema.accounts.frozen),
        pending: excluded(schema.accounts.pending),
        deposited: excluded(schema.accounts.deposited),
        sent: excluded(schema.accounts.sent),
        received: excluded(schema.accounts.received),
        updatedAt: excluded(schema.accounts.updatedAt),
      },
    })
    .prepare(),
);
const upsertFreeze = preparedQuery((tx: BankTx) =>
  tx
    .insert(schema.freezes)
    .values({ transferId: p('transferId'), accountId: p('accountId'), amount: p('amount'), status: p('status'), createdAt: p('now'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.freezes.transferId, set: { status: excluded(schema.freezes.status), updatedAt: excluded(schema.freezes.updatedAt) } })
    .prepare(),
);
const upsertCredit = preparedQuery((tx: BankTx) =>
  tx
    .insert(schema.credits)
    .values({ transferId: p('transferId'), accountId: p('accountId'), amount: p('amount'), status: p('status'), createdAt: p('now'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.credits.transferId, set: { status: excluded(schema.credits.status), updatedAt: excluded(schema.credits.updatedAt) } })
    .prepare(),
);

function accountsById(tx: BankTx, ids: readonly string[]): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const accountId of new Set(ids)) {
    const r = selectAccount(tx).get({ accountId });
    if (r) accounts.set(accountId, { accountId, balance: r.balance, frozen: r.frozen, pending: r.pending, deposited: r.deposited, sent: r.sent, received: r.received });
  }
  return accounts;
}

/**
 * The transfer's freeze and credit here first, then the accounts they concern: the rows'
 * accounts when there are rows (a release goes back where the money came from), else the ones
 * the transfer names. A deposit: its account.
 */
export function loadState(tx: BankTx, input: BankInput): BankState {
  if (input.type === 'Deposit') return { accounts: accountsById(tx, [input.data.accountId]), freeze: undefined, credit: undefined };
  const { transferId, from, to } = input.data;
  const f = selectFreeze(tx).get({ transferId });
  const c = selectCredit(tx).get({ transferId });
  const freeze: Freeze | undefined = f && { transferId: f.transferId, accountId: f.accountId, amount: f.amount, status: f.status };
  const credit: Credit | undefined = c && { transferId: c.transferId, accountId: c.accountId, amount: c.amount, status: c.status };
  return { accounts: accountsById(tx, [freeze?.accountId ?? from.accountId, credit?.accountId ?? to.accountId]), freeze, credit };
}

export function saveChanges(tx: BankTx, { accounts, freeze: f, credit: c }: BankChanges, now: number): void {
  for (const a of accounts ?? []) upsertAccount(tx).run({ ...a, now });
  if (f) upsertFreeze(tx).run({ transferId: f.transferId, accountId: f.accountId, amount: f.amount, status: f.status, now });
  if (c) upsertCredit(tx).run({ transferId: c.transferId, accountId: c.accountId, amount: c.amount, status: c.status, now });
}
