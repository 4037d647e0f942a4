import { type CancelReason, draft, type EventDraft, type OrderItem, type PlaceOrderData, type RequestRefundData } from '@jetsaga/events';

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

export interface OrderDecision {
  order?: Order;
  events: EventDraft[];
  /** When a PENDING order times out (armed as a durable timer). */
  deadline?: Date;
}

const nothing: OrderDecision = { events: [] };

export function orderTotal(items: OrderItem[]): number {
  return items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
}

/** Starts the saga with a deadline; a second PlaceOrder for an existing orderId creates nothing. */
export function decidePlace(existing: Order | undefined, command: PlaceOrderData, now: Date, deadlineMs: number): OrderDecision {
  if (existing) return nothing;
  const order: Order = { ...command, status: 'PENDING', total: orderTotal(command.items), cancelReason: null, refundReason: null };
  return {
    order,
    events: [draft('OrderCreated', summary(order))],
    deadline: new Date(now.getTime() + deadlineMs),
  };
}

/** Payment captured: a PENDING order is confirmed. A cancelled order never comes back. */
export function decideConfirm(order: Order | undefined): OrderDecision {
  if (order?.status !== 'PENDING') return nothing;
  const confirmed: Order = { ...order, status: 'CONFIRMED' };
  return { order: confirmed, events: [draft('OrderConfirmed', summary(confirmed))] };
}

/** A step refused (no stock, no funds) or the deadline passed: a PENDING order is cancelled. */
export function decideCancel(order: Order | undefined, reason: CancelReason): OrderDecision {
  if (order?.status !== 'PENDING') return nothing;
  const cancelled: Order = { ...order, status: 'CANCELLED', cancelReason: reason };
  return { order: cancelled, events: [draft('OrderCancelled', { ...summary(cancelled), reason })] };
}

/** Starts the refund saga for a CONFIRMED order; anything else is refused with the reason. */
export function decideRefundRequest(order: Order | undefined, command: RequestRefundData): OrderDecision {
  if (!order) return { events: [draft('RefundRejected', { orderId: command.orderId, reason: 'unknown_order', status: null })] };
  if (order.status === 'REFUNDING' || order.status === 'REFUNDED') {
    return { events: [draft('RefundRejected', { orderId: order.orderId, reason: 'already_refunded', status: order.status })] };
  }
  if (order.status !== 'CONFIRMED') return { events: [draft('RefundRejected', { orderId: order.orderId, reason: 'not_confirmed', status: order.status })] };
  const refunding: Order = { ...order, status: 'REFUNDING', refundReason: command.reason };
  return { order: refunding, events: [draft('RefundRequested', { ...summary(refunding), reason: command.reason })] };
}

/** Money and stock are back: a REFUNDING order is REFUNDED. */
export function decideRefunded(order: Order | undefined): OrderDecision {
  if (order?.status !== 'REFUNDING') return nothing;
  const refunded: Order = { ...order, status: 'REFUNDED' };
  return { order: refunded, events: [draft('OrderRefunded', { ...summary(refunded), reason: order.refundReason ?? 'refund' })] };
}

function summary(order: Order) {
  return { orderId: order.orderId, customerId: order.customerId, items: order.items, total: order.total };
}
