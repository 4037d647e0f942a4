import type { Reaction } from '@jetsaga/messaging';
import { decidePending, pointsFor } from '../decide.js';
import { loyaltySettings } from '../settings.js';
import { applyDecision, loadState, type LoyaltyTx } from '../store.js';

export const onPaymentSucceeded: Reaction<'PaymentSucceeded', LoyaltyTx> = (ctx) => {
  const { orderId, customerId, amount } = ctx.message.data;
  applyDecision(ctx, decidePending(loadState(ctx.tx, orderId, customerId), { orderId, customerId }, pointsFor(amount, loyaltySettings.pointsPerUnit)));
};
