import { eq } from 'drizzle-orm';
import type { CancelReason } from '@jetsaga/events';
import type { EffectContext, ServiceTx } from '@jetsaga/messaging';
import type { Order, OrderDecision } from './decide.js';
import * as schema from './schema.js';

export type OrderTx = ServiceTx<typeof schema>;

export function loadOrder(tx: OrderTx, orderId: string): Order | undefined {
  const row = tx.select().from(schema.orders).where(eq(schema.orders.orderId, orderId)).get();
  return (
    row && {
      orderId: row.orderId,
      customerId: row.customerId,
      status: row.status,
      items: row.items,
      total: row.total,
      cancelReason: row.cancelReason as CancelReason | null,
      refundReason: row.refundReason,
    }
  );
}

export function saveDecision(tx: OrderTx, decision: OrderDecision, now: number): void {
  const o = decision.order;
  if (!o) return;
  tx.insert(schema.orders)
    .values({ ...o, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: schema.orders.orderId, set: { status: o.status, cancelReason: o.cancelReason, refundReason: o.refundReason, updatedAt: now } })
    .run();
}

/** Saves the decision, emits its events, and disarms the deadline of an order that ended. */
export function applyDecision({ tx, now, emit, cancelTimer }: EffectContext<OrderTx>, decision: OrderDecision): void {
  saveDecision(tx, decision, now.getTime());
  if (decision.order && decision.order.status !== 'PENDING') cancelTimer('OrderDeadline', decision.order.orderId);
  decision.events.forEach(emit);
}
