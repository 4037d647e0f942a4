import type { TimerReaction } from '@jetsaga/messaging';
import { decideCancel } from '../decide.js';
import { applyDecision, loadOrder, type OrderTx } from '../store.js';

export const onOrderDeadline: TimerReaction<OrderTx> = (ctx) => applyDecision(ctx, decideCancel(loadOrder(ctx.tx, ctx.timer.key), 'timeout'));
