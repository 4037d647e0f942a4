import { eq } from 'drizzle-orm';
import type { CancelReason } from '@jetsaga/events';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Order } from './decide.js';
import { type OrderInput, orderIdOf, type OrderState } from './react.js';
import * as schema from './schema.js';

export type OrderTx = ServiceTx<typeof schema>;

const selectOrder = preparedQuery((tx: OrderTx) => tx.select().from(schema.orders).where(eq(schema.orders.orderId, p('orderId'))).prepare());

const upsertOrder = preparedQuery((tx: OrderTx) =>
  tx
    .insert(schema.orders)
    .values({
      orderId: p('orderId'),
      customerId: p('customerId'),
      status: p('status'),
      items: p('items'),
      total: p('total'),
      cancelReason: p('cancelReason'),
      refundReason: p('refundReason'),
      createdAt: p('now'),
      updatedAt: p('now'),
    })
    .onConflictDoUpdate({ target: schema.orders.orderId, set: { status: excluded(schema.orders.status), cancelReason: excluded(schema.orders.cancelReason), refundReason: excluded(schema.orders.refundReason), updatedAt: excluded(schema.orders.updatedAt) } })
    .prepare(),
);

export function loadOrder(tx: OrderTx, orderId: string): Order | undefined {
  const row = selectOrder(tx).get({ orderId });
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

export function loadState(tx: OrderTx, input: OrderInput): OrderState {
  return { order: loadOrder(tx, orderIdOf(input)) };
}

export function saveChanges(tx: OrderTx, { order }: { order: Order }, now: number): void {
  upsertOrder(tx).run({ ...order, now });
}
