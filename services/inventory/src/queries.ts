import { type ServiceQueries, sidesPage } from '@jetsaga/messaging';
import type { InventoryTx } from './store.js';

/**
 * Inventory's side of each order saga (its reservation), and its own invariants: per sku,
 * available + held + sold == received, and held and sold are what the reservations say.
 */
export const inventoryQueries: ServiceQueries<InventoryTx> = {
  sides: (tx, q) =>
    sidesPage(tx, q, {
      from: 'reservations',
      sagaId: 'order_id',
      kind: "'reservation'",
      status: 'status',
      customerId: 'customer_id',
      amount: 'NULL',
      updatedAt: 'updated_at',
    }),
  problems: (tx) => {
    const problems: string[] = [];
    const levels = tx.$client
      .prepare(
        `SELECT s.sku, s.available, s.held, s.sold, s.received,
                coalesce((SELECT sum(l.quantity) FROM reservation_lines l JOIN reservations r USING (order_id) WHERE l.sku = s.sku AND r.status IN ('HELD', 'RELEASING')), 0) AS reservedHeld,
                coalesce((SELECT sum(l.quantity) FROM reservation_lines l JOIN reservations r USING (order_id) WHERE l.sku = s.sku AND r.status = 'COMMITTED'), 0) AS reservedSold
           FROM stock s`,
      )
      .all() as { sku: string; available: number; held: number; sold: number; received: number; reservedHeld: number; reservedSold: number }[];
    for (const s of levels) {
      if (s.available + s.held + s.sold !== s.received) problems.push(`stock ${s.sku}: available ${s.available} + held ${s.held} + sold ${s.sold} != received ${s.received}`);
      if (s.held !== s.reservedHeld) problems.push(`stock ${s.sku}: held ${s.held} but the HELD and RELEASING reservations hold ${s.reservedHeld}`);
      if (s.sold !== s.reservedSold) problems.push(`stock ${s.sku}: sold ${s.sold} but the COMMITTED reservations sold ${s.reservedSold}`);
    }
    return problems;
  },
};
