import { eq } from 'drizzle-orm';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Account, Entry, LoyaltyChanges, LoyaltyState, Welcome } from './decide.js';
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
const selectWelcome = preparedQuery((tx: LoyaltyTx) => tx.select().from(schema.welcomes).where(eq(schema.welcomes.customerId, p('customerId'))).prepare());
const insertWelcome = preparedQuery((tx: LoyaltyTx) => tx.insert(schema.welcomes).values({ customerId: p('customerId'), points: p('points'), createdAt: p('now') }).prepare());
const upsertEntry = preparedQuery((tx: LoyaltyTx) =>
  tx
    .insert(schema.entries)
    .values({ orderId: p('orderId'), customerId: p('customerId'), points: p('points'), status: p('status'), createdAt: p('now'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.entries.orderId, set: { status: excluded(schema.entries.status), points: excluded(schema.entries.points), updatedAt: excluded(schema.entries.updatedAt) } })
    .prepare(),
);

function loadAccount(tx: LoyaltyTx, customerId: string): Account | undefined {
  const a = selectAccount(tx).get({ customerId });
  return a && { customerId: a.customerId, balance: a.balance, debt: a.debt };
}

/**
 * The order's entry first, then the account of ITS customer (of the input's when there is no
 * entry yet). A registration: the customer's account and welcome.
 */
export function loadState(tx: LoyaltyTx, input: LoyaltyInput): LoyaltyState {
  if (input.type === 'CustomerRegistered') {
    const { customerId } = input.data;
    const w = selectWelcome(tx).get({ customerId });
    const welcome: Welcome | undefined = w && { customerId: w.customerId, points: w.points };
    return { account: loadAccount(tx, customerId), entry: undefined, welcome };
  }
  const { orderId, customerId } = input.data;
  const e = selectEntry(tx).get({ orderId });
  const entry: Entry | undefined = e && { orderId: e.orderId, customerId: e.customerId, points: e.points, status: e.status };
  return { account: loadAccount(tx, entry?.customerId ?? customerId), entry };
}

export function saveChanges(tx: LoyaltyTx, { account: a, entry: e, welcome: w }: LoyaltyChanges, now: number): void {
  if (w) insertWelcome(tx).run({ customerId: w.customerId, points: w.points, now });
  if (a) upsertAccount(tx).run({ customerId: a.customerId, balance: a.balance, debt: a.debt, now });
  if (e) upsertEntry(tx).run({ orderId: e.orderId, customerId: e.customerId, points: e.points, status: e.status, now });
}
