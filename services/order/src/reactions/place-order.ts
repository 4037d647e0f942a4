import type { Reaction } from '@jetsaga/messaging';
import { decidePlace } from '../decide.js';
import { orderSettings } from '../settings.js';
import { applyDecision, loadOrder, type OrderTx } from '../store.js';

export const onPlaceOrder: Reaction<'PlaceOrder', OrderTx> = (ctx) => {
  const { orderId } = ctx.message.data;
  const decision = decidePlace(loadOrder(ctx.tx, orderId), ctx.message.data, ctx.now, orderSettings.deadlineMs);
  if (decision.deadline) ctx.schedule({ kind: 'OrderDeadline', key: orderId, dueAt: decision.deadline });
  applyDecision(ctx, decision);
};
