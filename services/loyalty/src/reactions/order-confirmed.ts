import type { Reaction } from '@jetsaga/messaging';
import { decideConfirm, pointsFor } from '../decide.js';
import { loyaltySettings } from '../settings.js';
import { applyDecision, loadState, type LoyaltyTx } from '../store.js';

export const onOrderConfirmed: Reaction<'OrderConfirmed', LoyaltyTx> = (ctx) => {
  const { orderId, customerId, total } = ctx.message.data;
  applyDecision(ctx, decideConfirm(loadState(ctx.tx, orderId, customerId), { orderId, customerId }, pointsFor(total, loyaltySettings.pointsPerUnit)));
};
