import type { Reaction } from '@jetsaga/messaging';
import { decideCancel } from '../decide.js';
import { applyDecision, loadOrder, type OrderTx } from '../store.js';

export const onStockReservationFailed: Reaction<'StockReservationFailed', OrderTx> = (ctx) =>
  applyDecision(ctx, decideCancel(loadOrder(ctx.tx, ctx.message.data.orderId), 'out_of_stock'));
