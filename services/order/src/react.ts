import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import { DEADLINE, decideCancel, decideConfirm, decideManualCancel, decidePaymentFailed, decidePlace, decideRefunded, decideRefundRequest, type Order, type OrderDecision } from './decide.js';
import type { OrderSettings } from './settings.js';

export const orderMessages = ['PlaceOrder', 'StockReservationFailed', 'PaymentSucceeded', 'PaymentFailed', 'RequestRefund', 'StockRestocked', 'CancelOrder'] as const;
export const orderTimers = [DEADLINE] as const;
export type OrderInput = Input<(typeof orderMessages)[number], (typeof orderTimers)[number]>;

export interface OrderState {
  order: Order | undefined;
}

/** The order an input is about. */
export function orderIdOf(input: OrderInput): string {
  return input.type === DEADLINE ? input.key : input.data.orderId;
}

/** Order's router: every message and timer it receives, to its decision. */
export function react({ order }: OrderState, input: OrderInput, ctx: ReactContext<OrderSettings>): OrderDecision {
  switch (input.type) {
    case 'PlaceOrder':
      return decidePlace(order, input.data, ctx.now, ctx.settings.deadlineMs);
    case 'PaymentSucceeded':
      return decideConfirm(order, input.data);
    case 'StockReservationFailed':
      // inventory's reason is the order's: out_of_stock, price_mismatch or not_for_sale
      return decideCancel(order, input.data.reason);
    case 'PaymentFailed':
      return decidePaymentFailed(order, input.data);
    case DEADLINE:
      return decideCancel(order, 'timeout');
    case 'RequestRefund':
      return decideRefundRequest(order, input.data);
    case 'StockRestocked':
      return decideRefunded(order);
    case 'CancelOrder':
      return decideManualCancel(order, input.data);
    default:
      return unhandled(input);
  }
}
