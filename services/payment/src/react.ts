import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import { decideCancel, decideCharge, decideCredit, decideRefund, type PaymentDecision, type PaymentState } from './decide.js';

export const paymentMessages = ['CreditWallet', 'StockReserved', 'OrderCancelled', 'RefundRequested'] as const;
export type PaymentInput = Input<(typeof paymentMessages)[number]>;

/** Payment's router: every message it receives, to its decision. */
export function react(state: PaymentState, input: PaymentInput, ctx: ReactContext<unknown>): PaymentDecision {
  switch (input.type) {
    case 'CreditWallet':
      return decideCredit(state, input.data);
    case 'StockReserved':
      return decideCharge(state, input.data, ctx.newId());
    case 'OrderCancelled':
      return decideCancel(state, input.data, ctx.newId());
    case 'RefundRequested':
      return decideRefund(state, input.data);
    default:
      return unhandled(input);
  }
}
