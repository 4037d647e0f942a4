import type { Reaction } from '@jetsaga/messaging';
import type { InventoryTx } from '../store.js';
import { compensate } from './cancellation.js';

export const onPaymentFailed: Reaction<'PaymentFailed', InventoryTx> = (ctx) => compensate(ctx, ctx.message.data.orderId, 'payment_failed');
