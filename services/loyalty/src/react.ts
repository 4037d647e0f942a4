import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import { customerMismatch, decideConfirm, decidePending, decideRevert, decideWelcome, type LoyaltyDecision, type LoyaltyState, pointsFor } from './decide.js';
import type { LoyaltySettings } from './settings.js';

export const loyaltyMessages = ['PaymentSucceeded', 'OrderConfirmed', 'OrderCancelled', 'OrderRefunded', 'CustomerRegistered'] as const;
export type LoyaltyInput = Input<(typeof loyaltyMessages)[number]>;
type OrderInput = Exclude<LoyaltyInput, { type: 'CustomerRegistered' }>;

/** Loyalty's router: every message it receives, to its decision. */
export function react(state: LoyaltyState, input: LoyaltyInput, ctx: ReactContext<LoyaltySettings>): LoyaltyDecision {
  if (input.type === 'CustomerRegistered') return decideWelcome(state, input.data.customerId, ctx.settings.welcomePoints);
  return reactToOrder(state, input, ctx);
}

/** An order's points: pending on payment, confirmed with the order, reverted on cancel or refund. */
function reactToOrder(state: LoyaltyState, input: OrderInput, ctx: ReactContext<LoyaltySettings>): LoyaltyDecision {
  const { orderId, customerId } = input.data;
  const order = { orderId, customerId };
  // Points go only to the order's customer: an input naming another one changes nothing.
  const mismatch = customerMismatch(state, input.type, customerId);
  if (mismatch) return { mismatch };
  switch (input.type) {
    case 'PaymentSucceeded':
      return decidePending(state, order, pointsFor(input.data.amount, ctx.settings.pointsPerUnit));
    case 'OrderConfirmed':
      return decideConfirm(state, order, pointsFor(input.data.total, ctx.settings.pointsPerUnit));
    case 'OrderCancelled':
      return decideRevert(state, order, 'order_cancelled');
    case 'OrderRefunded':
      return decideRevert(state, order, 'order_refunded');
    default:
      return unhandled(input);
  }
}
