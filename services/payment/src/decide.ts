import { type CreditWalletData, draft, type EventDraft, type StockReservedData } from '@jetsaga/events';

export interface Wallet {
  customerId: string;
  balance: number;
  credited: number;
}

export type PaymentStatus = 'CAPTURED' | 'FAILED';

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

/** Charges the order's total once: a second StockReserved for the same order does nothing. */
export function decideCharge(state: PaymentState, reserved: StockReservedData, paymentId: string): PaymentDecision {
  if (state.payment) return { events: [] };
  const { orderId, customerId, total: amount } = reserved;
  const balance = state.wallet?.balance ?? 0;
  if (!state.wallet || balance < amount) {
    return {
      payment: { orderId, paymentId, customerId, amount, status: 'FAILED' },
      events: [draft('PaymentFailed', { orderId, customerId, amount, reason: 'insufficient_funds', balance })],
    };
  }
  return {
    wallet: { ...state.wallet, balance: balance - amount },
    payment: { orderId, paymentId, customerId, amount, status: 'CAPTURED' },
    events: [draft('PaymentSucceeded', { orderId, customerId, amount, paymentId })],
  };
}

export function decideCredit(wallet: Wallet | undefined, command: CreditWalletData): Wallet {
  const before = wallet ?? { customerId: command.customerId, balance: 0, credited: 0 };
  return { ...before, balance: before.balance + command.amount, credited: before.credited + command.amount };
}
