import { eq } from 'drizzle-orm';
import type { EffectContext, ServiceTx } from '@jetsaga/messaging';
import type { Payment, PaymentDecision, PaymentState, Wallet } from './decide.js';
import * as schema from './schema.js';

export type PaymentTx = ServiceTx<typeof schema>;

export function loadWallet(tx: PaymentTx, customerId: string): Wallet | undefined {
  const row = tx.select().from(schema.wallets).where(eq(schema.wallets.customerId, customerId)).get();
  return row && { customerId: row.customerId, balance: row.balance, credited: row.credited };
}

export function loadState(tx: PaymentTx, orderId: string, customerId: string): PaymentState {
  const row = tx.select().from(schema.payments).where(eq(schema.payments.orderId, orderId)).get();
  const payment: Payment | undefined = row && {
    orderId: row.orderId,
    paymentId: row.paymentId,
    customerId: row.customerId,
    amount: row.amount,
    status: row.status,
  };
  return { wallet: loadWallet(tx, customerId), payment };
}

export function saveWallet(tx: PaymentTx, wallet: Wallet, now: number): void {
  const values = { balance: wallet.balance, credited: wallet.credited, updatedAt: now };
  tx.insert(schema.wallets)
    .values({ customerId: wallet.customerId, ...values })
    .onConflictDoUpdate({ target: schema.wallets.customerId, set: values })
    .run();
}

export function saveDecision(tx: PaymentTx, decision: PaymentDecision, now: number): void {
  if (decision.wallet) saveWallet(tx, decision.wallet, now);
  const p = decision.payment;
  if (p) {
    tx.insert(schema.payments)
      .values({ ...p, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: schema.payments.orderId, set: { status: p.status, updatedAt: now } })
      .run();
  }
}

export function applyDecision({ tx, now, emit }: EffectContext<PaymentTx>, decision: PaymentDecision): void {
  saveDecision(tx, decision, now.getTime());
  decision.events.forEach(emit);
}
