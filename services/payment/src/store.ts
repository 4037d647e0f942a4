import { eq } from 'drizzle-orm';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Payment, PaymentChanges, PaymentState, Wallet } from './decide.js';
import type { PaymentInput } from './react.js';
import * as schema from './schema.js';

export type PaymentTx = ServiceTx<typeof schema>;

const selectWallet = preparedQuery((tx: PaymentTx) => tx.select().from(schema.wallets).where(eq(schema.wallets.customerId, p('customerId'))).prepare());
const selectPayment = preparedQuery((tx: PaymentTx) => tx.select().from(schema.payments).where(eq(schema.payments.orderId, p('orderId'))).prepare());
const upsertWallet = preparedQuery((tx: PaymentTx) =>
  tx
    .insert(schema.wallets)
    .values({ customerId: p('customerId'), balance: p('balance'), credited: p('credited'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.wallets.customerId, set: { balance: excluded(schema.wallets.balance), credited: excluded(schema.wallets.credited), updatedAt: excluded(schema.wallets.updatedAt) } })
    .prepare(),
);
const upsertPayment = preparedQuery((tx: PaymentTx) =>
  tx
    .insert(schema.payments)
    .values({ orderId: p('orderId'), paymentId: p('paymentId'), customerId: p('customerId'), amount: p('amount'), status: p('status'), createdAt: p('now'), updatedAt: p('now') })
    .onConflictDoUpdate({ target: schema.payments.orderId, set: { status: excluded(schema.payments.status), updatedAt: excluded(schema.payments.updatedAt) } })
    .prepare(),
);

function loadWallet(tx: PaymentTx, customerId: string): Wallet | undefined {
  const row = selectWallet(tx).get({ customerId });
  return row && { customerId: row.customerId, balance: row.balance, credited: row.credited };
}

/**
 * The order's payment first, then the wallet it concerns: the payer's (the payment row's
 * customer) when there is a payment, so a refund can only go back where the money came from;
 * else the customer the input names.
 */
export function loadState(tx: PaymentTx, input: PaymentInput): PaymentState {
  if (input.type === 'CreditWallet') return { wallet: loadWallet(tx, input.data.customerId), payment: undefined };
  const row = selectPayment(tx).get({ orderId: input.data.orderId });
  const payment: Payment | undefined = row && {
    orderId: row.orderId,
    paymentId: row.paymentId,
    customerId: row.customerId,
    amount: row.amount,
    status: row.status,
  };
  return { wallet: loadWallet(tx, payment?.customerId ?? input.data.customerId), payment };
}

export function saveChanges(tx: PaymentTx, { wallet, payment: p }: PaymentChanges, now: number): void {
  if (wallet) upsertWallet(tx).run({ customerId: wallet.customerId, balance: wallet.balance, credited: wallet.credited, now });
  if (p) upsertPayment(tx).run({ orderId: p.orderId, paymentId: p.paymentId, customerId: p.customerId, amount: p.amount, status: p.status, now });
}
