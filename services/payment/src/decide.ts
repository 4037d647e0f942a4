import { type CreditWalletData, draft, MAX_WALLET_BALANCE, type OrderCancelledData, type RefundRequestedData, type StockReservedData } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';

type RefundReason = 'order_cancelled' | 'refund_requested';

export interface Wallet {
  customerId: string;
  balance: number;
  credited: number;
}

/** VOIDED is a tombstone: the order was cancelled before payment was tried. */
export type PaymentStatus = 'CAPTURED' | 'FAILED' | 'REFUNDED' | 'VOIDED';

export interface Payment {
  orderId: string;
  paymentId: string;
  customerId: string;
  amount: number;
  status: PaymentStatus;
}

/**
 * The order's payment, if any, and the wallet it concerns: the wallet of the customer who
 * paid (the payment's) when there is a payment, else the one the input names.
 */
export interface PaymentState {
  wallet: Wallet | undefined;
  payment: Payment | undefined;
}

export interface PaymentChanges {
  wallet?: Wallet;
  payment?: Payment;
}

export type PaymentDecision = Decision<PaymentChanges>;

/**
 * What an order's event says about its customer that contradicts the order's payment row (the
 * customer who paid, or whose cancellation left the tombstone), or undefined when it agrees.
 */
function customerMismatch(payment: Payment | undefined, event: { type: string; customerId: string }): string | undefined {
  if (!payment || payment.customerId === event.customerId) return undefined;
  return `payment of order ${payment.orderId} belongs to customer "${payment.customerId}", ${event.type} names "${event.customerId}"`;
}

/**
 * Charges exactly the total inventory priced (StockReserved.total), once: a second
 * StockReserved for the same order does nothing, and so does one that comes after the order's
 * cancellation (tombstone).
 */
export function decideCharge(state: PaymentState, reserved: StockReservedData, paymentId: string): PaymentDecision {
  const mismatch = customerMismatch(state.payment, { type: 'StockReserved', customerId: reserved.customerId });
  if (mismatch) return { mismatch };
  if (state.payment) return {};
  const { orderId, customerId, total: amount } = reserved;
  const wallet = state.wallet ?? { customerId, balance: 0, credited: 0 };
  const balance = wallet.balance;
  if (balance < amount) {
    return {
      changes: { payment: { orderId, paymentId, customerId, amount, status: 'FAILED' } },
      events: [draft('PaymentFailed', { orderId, customerId, amount, reason: 'insufficient_funds', balance })],
    };
  }
  return {
    changes: { wallet: { ...wallet, balance: balance - amount }, payment: { orderId, paymentId, customerId, amount, status: 'CAPTURED' } },
    events: [draft('PaymentSucceeded', { orderId, customerId, amount, paymentId })],
  };
}

/**
 * The order was cancelled: a captured charge goes back to the wallet (also one that landed
 * after the cancellation). With no payment yet, a tombstone stops the late charge (barrier).
 */
export function decideCancel(state: PaymentState, cancelled: OrderCancelledData, paymentId: string): PaymentDecision {
  const { orderId, customerId } = cancelled;
  const mismatch = customerMismatch(state.payment, { type: 'OrderCancelled', customerId });
  if (mismatch) return { mismatch };
  if (!state.payment) return { changes: { payment: { orderId, paymentId, customerId, amount: 0, status: 'VOIDED' } } };
  return refund(state, 'order_cancelled');
}

/** A refund of a confirmed order: its captured charge goes back to the wallet that paid, once. */
export function decideRefund(state: PaymentState, requested: RefundRequestedData): PaymentDecision {
  const mismatch = customerMismatch(state.payment, { type: 'RefundRequested', customerId: requested.customerId });
  if (mismatch) return { mismatch };
  return refund(state, 'refund_requested');
}

/** The payment's amount back into the wallet of the customer who paid (never another's). */
function refund(state: PaymentState, reason: RefundReason): PaymentDecision {
  const p = state.payment;
  if (p?.status !== 'CAPTURED') return {};
  if (state.wallet && state.wallet.customerId !== p.customerId) {
    throw new Error(`payment of order ${p.orderId}: loaded the wallet of "${state.wallet.customerId}", not of its payer "${p.customerId}"`);
  }
  const wallet = state.wallet ?? { customerId: p.customerId, balance: 0, credited: 0 };
  return {
    changes: { wallet: { ...wallet, balance: wallet.balance + p.amount }, payment: { ...p, status: 'REFUNDED' } },
    events: [draft('PaymentRefunded', { orderId: p.orderId, customerId: p.customerId, amount: p.amount, paymentId: p.paymentId, reason })],
  };
}

/**
 * Adds money to a wallet. A credit that would take the balance past MAX_WALLET_BALANCE is
 * refused whole (a mismatch: dead-lettered at once, nothing credited). Refunds are never
 * refused, so a balance may pass the limit by what its customer paid and got back since.
 */
export function decideCredit(state: PaymentState, command: CreditWalletData): PaymentDecision {
  const before = state.wallet ?? { customerId: command.customerId, balance: 0, credited: 0 };
  if (before.balance + command.amount > MAX_WALLET_BALANCE) {
    return {
      mismatch: `wallet ${command.customerId}: a credit of ${command.amount} would take the balance from ${before.balance} to ${before.balance + command.amount}, past the limit ${MAX_WALLET_BALANCE}`,
    };
  }
  return { changes: { wallet: { ...before, balance: before.balance + command.amount, credited: before.credited + command.amount } } };
}
