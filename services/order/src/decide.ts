import { type CancelOrderData, type CancelReason, draft, type OrderItem, type PaymentFailedData, type PaymentSucceededData, type PlaceOrderData, type RequestRefundData, totalOf } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'REFUNDING' | 'REFUNDED';

export interface Order {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: number;
  cancelReason: CancelReason | null;
  refundReason: string | null;
}

export type OrderDecision = Decision<{ order: Order }>;

const nothing: OrderDecision = {};

/** The durable timer that cancels a PENDING order (`timeout`). */
export const DEADLINE = 'OrderDeadline';

/** The total the customer agreed to: the items' unitPrice (inventory checks each against its own price). */
export function orderTotal(items: OrderItem[]): number {
  return totalOf(items);
}

/**
 * What a payment event says that contradicts the order's own records (its total, its
 * customer), or undefined when it agrees. With no order there is nothing to contradict.
 */
export function paymentMismatch(order: Order | undefined, payment: PaymentSucceededData | PaymentFailedData): string | undefined {
  if (!order) return undefined;
  const differ: string[] = [];
  if (payment.amount !== order.total) differ.push(`amount ${payment.amount} is not the order's total ${order.total}`);
  if (payment.customerId !== order.customerId) differ.push(`customerId "${payment.customerId}" is not the order's customer "${order.customerId}"`);
  return differ.length > 0 ? `order ${order.orderId}: ${differ.join('; ')}` : undefined;
}

/** Starts the saga with a deadline; a second PlaceOrder for an existing orderId creates nothing. */
export function decidePlace(existing: Order | undefined, command: PlaceOrderData, now: Date, deadlineMs: number): OrderDecision {
  if (existing) return nothing;
  const order: Order = { ...command, status: 'PENDING', total: orderTotal(command.items), cancelReason: null, refundReason: null };
  return {
    changes: { order },
    events: [draft('OrderCreated', summary(order))],
    arm: [{ kind: DEADLINE, key: order.orderId, dueAt: new Date(now.getTime() + deadlineMs) }],
  };
}

/**
 * Payment captured: a PENDING order is confirmed, only by a payment of its own total from its
 * own customer (anything else is a mismatch, whatever the status). A cancelled order never
 * comes back.
 */
export function decideConfirm(order: Order | undefined, payment: PaymentSucceededData): OrderDecision {
  const mismatch = paymentMismatch(order, payment);
  if (mismatch) return { mismatch };
  if (order?.status !== 'PENDING') return nothing;
  const confirmed: Order = { ...order, status: 'CONFIRMED' };
  return { changes: { order: confirmed }, events: [draft('OrderConfirmed', summary(confirmed))], disarm: [{ kind: DEADLINE, key: order.orderId }] };
}

/**
 * A step refused (no stock, a price that is not the catalog's, a sku not for sale, no funds)
 * or the deadline passed: a PENDING order is cancelled.
 */
export function decideCancel(order: Order | undefined, reason: CancelReason): OrderDecision {
  if (order?.status !== 'PENDING') return nothing;
  const cancelled: Order = { ...order, status: 'CANCELLED', cancelReason: reason };
  return {
    changes: { order: cancelled },
    events: [draft('OrderCancelled', { ...summary(cancelled), reason })],
    disarm: [{ kind: DEADLINE, key: order.orderId }],
  };
}

/**
 * An operator cancels a saga that is not over: a PENDING order is cancelled (`manual`, with the
 * operator's text), and every participant compensates as for a timeout. Anything else is
 * refused with the reason, changing nothing.
 */
export function decideManualCancel(order: Order | undefined, command: CancelOrderData): OrderDecision {
  if (!order) return { events: [draft('CancelRejected', { orderId: command.orderId, reason: 'unknown_order', status: null })] };
  if (order.status === 'REFUNDING') return { events: [draft('CancelRejected', { orderId: order.orderId, reason: 'refund_in_progress', status: order.status })] };
  if (order.status !== 'PENDING') return { events: [draft('CancelRejected', { orderId: order.orderId, reason: 'already_over', status: order.status })] };
  const cancelled: Order = { ...order, status: 'CANCELLED', cancelReason: 'manual' };
  return {
    changes: { order: cancelled },
    events: [draft('OrderCancelled', { ...summary(cancelled), reason: 'manual', note: command.reason })],
    disarm: [{ kind: DEADLINE, key: order.orderId }],
  };
}

/** Payment could not cover the total: a PENDING order is cancelled, if the payment is its own. */
export function decidePaymentFailed(order: Order | undefined, payment: PaymentFailedData): OrderDecision {
  const mismatch = paymentMismatch(order, payment);
  if (mismatch) return { mismatch };
  return decideCancel(order, 'payment_failed');
}

/** Starts the refund saga for a CONFIRMED order; anything else is refused with the reason. */
export function decideRefundRequest(order: Order | undefined, command: RequestRefundData): OrderDecision {
  if (!order) return { events: [draft('RefundRejected', { orderId: command.orderId, reason: 'unknown_order', status: null })] };
  if (order.status === 'REFUNDING' || order.status === 'REFUNDED') {
    return { events: [draft('RefundRejected', { orderId: order.orderId, reason: 'already_refunded', status: order.status })] };
  }
  if (order.status !== 'CONFIRMED') return { events: [draft('RefundRejected', { orderId: order.orderId, reason: 'not_confirmed', status: order.status })] };
  const refunding: Order = { ...order, status: 'REFUNDING', refundReason: command.reason };
  return { changes: { order: refunding }, events: [draft('RefundRequested', { ...summary(refunding), reason: command.reason })] };
}

/** Money and stock are back: a REFUNDING order is REFUNDED. */
export function decideRefunded(order: Order | undefined): OrderDecision {
  if (order?.status !== 'REFUNDING') return nothing;
  const refunded: Order = { ...order, status: 'REFUNDED' };
  return { changes: { order: refunded }, events: [draft('OrderRefunded', { ...summary(refunded), reason: order.refundReason ?? 'refund' })] };
}

function summary(order: Order) {
  return { orderId: order.orderId, customerId: order.customerId, items: order.items, total: order.total };
}
