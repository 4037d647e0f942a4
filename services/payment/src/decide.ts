import { type CreditWalletData, draft, type OrderCancelledData, type StockReservedData } from '@jetsaga/events';
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
 * Charges the order's total once: a second StockReserved for the same order does nothing,
 * and so does one that comes after the order's cancellation (tombstone).
 */
export function decideCharge(state: PaymentState, reserved: StockReservedData, paymentId: string): PaymentDecision {
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
  if (!state.payment) return { changes: { payment: { orderId, paymentId, customerId, amount: 0, status: 'VOIDED' } } };
  return refund(state, 'order_cancelled');
}

/** A refund of a confirmed order: its captured charge goes back to the wallet, once. */
export function decideRefund(state: PaymentState): PaymentDecision {
  return refund(state, 'refund_requested');
}

function refund(state: PaymentState, reason: RefundReason): PaymentDecision {
  const p = state.payment;
  if (p?.status !== 'CAPTURED') return {};
  const wallet = state.wallet ?? { customerId: p.customerId, balance: 0, credited: 0 };
  return {
    changes: { wallet: { ...wallet, balance: wallet.balance + p.amount }, payment: { ...p, status: 'REFUNDED' } },
    events: [draft('PaymentRefunded', { orderId: p.orderId, customerId: p.customerId, amount: p.amount, paymentId: p.paymentId, reason })],
  };
}

export function decideCredit(state: PaymentState, command: CreditWalletData): PaymentDecision {
  const before = state.wallet ?? { customerId: command.customerId, balance: 0, credited: 0 };
  return { changes: { wallet: { ...before, balance: before.balance + command.amount, credited: before.credited + command.amount } } };
}
