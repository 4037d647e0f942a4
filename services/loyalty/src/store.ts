import { eq } from 'drizzle-orm';
import type { EffectContext, ServiceTx } from '@jetsaga/messaging';
import type { Account, Entry, LoyaltyDecision, LoyaltyState } from './decide.js';
import * as schema from './schema.js';

export type LoyaltyTx = ServiceTx<typeof schema>;

export function loadState(tx: LoyaltyTx, orderId: string, customerId: string): LoyaltyState {
  const a = tx.select().from(schema.accounts).where(eq(schema.accounts.customerId, customerId)).get();
  const e = tx.select().from(schema.entries).where(eq(schema.entries.orderId, orderId)).get();
  const account: Account | undefined = a && { customerId: a.customerId, balance: a.balance, debt: a.debt };
  const entry: Entry | undefined = e && { orderId: e.orderId, customerId: e.customerId, points: e.points, status: e.status };
  return { account, entry };
}

export function applyDecision({ tx, now, emit }: EffectContext<LoyaltyTx>, decision: LoyaltyDecision): void {
  const at = now.getTime();
  const a = decision.account;
  if (a) {
    const values = { balance: a.balance, debt: a.debt, updatedAt: at };
    tx.insert(schema.accounts).values({ customerId: a.customerId, ...values }).onConflictDoUpdate({ target: schema.accounts.customerId, set: values }).run();
  }
  const e = decision.entry;
  if (e) {
    tx.insert(schema.entries)
      .values({ ...e, createdAt: at, updatedAt: at })
      .onConflictDoUpdate({ target: schema.entries.orderId, set: { status: e.status, points: e.points, updatedAt: at } })
      .run();
  }
  decision.events.forEach(emit);
}
