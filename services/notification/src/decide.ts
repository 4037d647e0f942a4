import type { CustomerRegisteredData, OrderCancelledData, OrderConfirmedData, OrderRefundedData } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';

export type NotificationKind = 'confirmed' | 'cancelled' | 'refunded' | 'welcome';

export interface Notification {
  /** `<orderId>:<kind>`: at most one notification of each kind per order; `<customerId>:welcome`, one per customer. */
  id: string;
  /** The order it is about; null for a welcome. */
  orderId: string | null;
  kind: NotificationKind;
  customerId: string;
  message: string;
}

const reasons: Record<OrderCancelledData['reason'], string> = {
  out_of_stock: 'some items are out of stock',
  price_mismatch: 'the price of some items has changed (please check the current prices and order again)',
  not_for_sale: 'some items are not for sale',
  payment_failed: 'the payment did not go through',
  timeout: 'it could not be completed in time',
  manual: 'it was cancelled by our staff',
};

export function money(minor: number): string {
  return (minor / 100).toFixed(2);
}

function notification(orderId: string, customerId: string, kind: NotificationKind, message: string): Notification {
  return { id: `${orderId}:${kind}`, orderId, customerId, kind, message };
}

export function confirmedNotice(e: OrderConfirmedData): Notification {
  return notification(e.orderId, e.customerId, 'confirmed', `Your order ${e.orderId} is confirmed: ${money(e.total)} paid.`);
}

export function cancelledNotice(e: OrderCancelledData): Notification {
  return notification(e.orderId, e.customerId, 'cancelled', `Your order ${e.orderId} was cancelled: ${reasons[e.reason]}. Any payment is refunded.`);
}

/** A newly registered customer's welcome, sent once per customer. */
export function welcomeNotice(e: CustomerRegisteredData): Notification {
  return { id: `${e.customerId}:welcome`, orderId: null, customerId: e.customerId, kind: 'welcome', message: `Welcome, ${e.customerId}: you are registered (${e.email}).` };
}

export function refundedNotice(e: OrderRefundedData): Notification {
  return notification(e.orderId, e.customerId, 'refunded', `Your order ${e.orderId} was refunded: ${money(e.total)} is back in your wallet.`);
}

export interface NotificationState {
  /** Whether the notice this input would record is recorded already. */
  recorded: boolean;
}

export type NotificationDecision = Decision<{ notification: Notification }>;

/** Records a notice to deliver, once per (order, kind). */
export function decideNotice(state: NotificationState, notice: Notification): NotificationDecision {
  return state.recorded ? {} : { changes: { notification: notice } };
}
