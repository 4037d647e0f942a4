import type { Reaction } from '@jetsaga/messaging';
import type { InventoryTx } from '../store.js';
import { compensate } from './cancellation.js';

export const onOrderCancelled: Reaction<'OrderCancelled', InventoryTx> = (ctx) => compensate(ctx, ctx.message.data.orderId, 'order_cancelled');
