import { eq } from 'drizzle-orm';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Account, Entry, LoyaltyChanges, LoyaltyState } from './decide.js';
import type { LoyaltyInput } from './react.js';
import * as schema from './schema.js';

export type LoyaltyTx = ServiceTx<typeof schema>;

const selectAccount = preparedQuery((tx: LoyaltyTx) => tx.select().from(schema.accounts).where(eq(schema.accounts.customerId, p('customerId'))).prepare());
const selectEntry = preparedQuery((tx: LoyaltyTx) => tx.select().from(schema.entries).where(eq(schema.entries.orderId, p('orderId'))).prepare());
const upsertAccount = preparedQuery((tx: LoyaltyTx) =>
  tx
    .insert(schema.accounts)
    .values({ customerId: p('customerId'), balance: p('balance'), debt: p('debt'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.accounts.customerId, set: { balance: excluded(schema.accounts.balance), debt: excluded(schema.accounts.debt), updatedAt: excluded(schema.accounts.updatedAt) } })
    .prepare(),
);
const upsertEntry = preparedQuery((tx: LoyaltyTx) =>
  tx
    .insert(schema.entries)
    .values({ orderId: p('orderId'), customerId: p('customerId'), points: p('points'), status: p('status'), createdAt: p('now'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.entries.orderId, set: { status: excluded(schema.entries.status), points: excluded(schema.entries.points), updatedAt: excluded(schema.entries.updatedAt) } })
    .prepare(),
);

/** The order's entry first, then the account of ITS customer (of the input's when there is no entry yet). */
export function loadState(tx: LoyaltyTx, input: LoyaltyInput): LoyaltyState {
  const { orderId, customerId } = input.data;
  const e = selectEntry(tx).get({ orderId });
  const entry: Entry | undefined = e && { orderId: e.orderId, customerId: e.customerId, points: e.points, status: e.status };
  const a = selectAccount(tx).get({ customerId: entry?.customerId ?? customerId });
  const account: Account | undefined = a && { customerId: a.customerId, balance: a.balance, debt: a.debt };
  return { account, entry };
}

export function saveChanges(tx: LoyaltyTx, { account: a, entry: e }: LoyaltyChanges, now: number): void {
  if (a) upsertAccount(tx).run({ customerId: a.customerId, balance: a.balance, debt: a.debt, now });
  if (e) upsertEntry(tx).run({ orderId: e.orderId, customerId: e.customerId, points: e.points, status: e.status, now });
}
