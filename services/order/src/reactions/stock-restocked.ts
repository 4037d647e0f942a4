import type { Reaction } from '@jetsaga/messaging';
import { decideRefunded } from '../decide.js';
import { applyDecision, loadOrder, type OrderTx } from '../store.js';

export const onStockRestocked: Reaction<'StockRestocked', OrderTx> = (ctx) => applyDecision(ctx, decideRefunded(loadOrder(ctx.tx, ctx.message.data.orderId)));
