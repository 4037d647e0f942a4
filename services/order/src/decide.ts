import { type CancelReason, draft, type EventDraft, type OrderItem, type PlaceOrderData } from '@jetsaga/events';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export interface Order {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: number;
  cancelReason: CancelReason | null;
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
  const order: Order = { ...command, status: 'PENDING', total: orderTotal(command.items), cancelReason: null };
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

function summary(order: Order) {
  return { orderId: order.orderId, customerId: order.customerId, items: order.items, total: order.total };
}
