import { type CreditWalletData, draft, type EventDraft, type OrderCancelledData, type StockReservedData } from '@jetsaga/events';

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

export interface PaymentDecision {
  wallet?: Wallet;
  payment?: Payment;
  events: EventDraft[];
}

/**
 * Charges the order's total once: a second StockReserved for the same order does nothing,
 * and so does one that comes after the order's cancellation (tombstone).
 */
export function decideCharge(state: PaymentState, reserved: StockReservedData, paymentId: string): PaymentDecision {
  if (state.payment) return { events: [] };
  const { orderId, customerId, total: amount } = reserved;
  const wallet = state.wallet ?? { customerId, balance: 0, credited: 0 };
  const balance = wallet.balance;
  if (balance < amount) {
    return {
      payment: { orderId, paymentId, customerId, amount, status: 'FAILED' },
      events: [draft('PaymentFailed', { orderId, customerId, amount, reason: 'insufficient_funds', balance })],
    };
  }
  return {
    wallet: { ...wallet, balance: balance - amount },
    payment: { orderId, paymentId, customerId, amount, status: 'CAPTURED' },
    events: [draft('PaymentSucceeded', { orderId, customerId, amount, paymentId })],
  };
}

/**
 * The order was cancelled: a captured charge goes back to the wallet (also one that landed
 * after the cancellation). With no payment yet, a tombstone stops the late charge (barrier).
 */
export function decideCancel(state: PaymentState, cancelled: OrderCancelledData, paymentId: string): PaymentDecision {
  const { orderId, customerId } = cancelled;
  if (!state.payment) return { payment: { orderId, paymentId, customerId, amount: 0, status: 'VOIDED' }, events: [] };
  return refund(state, 'order_cancelled');
}

/** A refund of a confirmed order: its captured charge goes back to the wallet, once. */
export function decideRefund(state: PaymentState): PaymentDecision {
  return refund(state, 'refund_requested');
}

function refund(state: PaymentState, reason: RefundReason): PaymentDecision {
  const p = state.payment;
  if (p?.status !== 'CAPTURED') return { events: [] };
  const wallet = state.wallet ?? { customerId: p.customerId, balance: 0, credited: 0 };
  return {
    wallet: { ...wallet, balance: wallet.balance + p.amount },
    payment: { ...p, status: 'REFUNDED' },
    events: [draft('PaymentRefunded', { orderId: p.orderId, customerId: p.customerId, amount: p.amount, paymentId: p.paymentId, reason })],
  };
}

export function decideCredit(wallet: Wallet | undefined, command: CreditWalletData): Wallet {
  const before = wallet ?? { customerId: command.customerId, balance: 0, credited: 0 };
  return { ...before, balance: before.balance + command.amount, credited: before.credited + command.amount };
}
