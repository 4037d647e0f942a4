import assert from 'node:assert/strict';
import type { TestStack } from './harness.js';

interface Options {
  /** Every order must be CONFIRMED or CANCELLED (after quiescence). Default true. */
  terminal?: boolean;
}

/**
 * The invariants of ARCHITECTURE.md, read from every service's db. Returns each violation as
 * a sentence naming the sku, customer or order involved; empty when all hold.
 */
export function findViolations(t: TestStack, options: Options = {}): string[] {
  const has = (s: string) => t.stack.services.has(s);
  const v: string[] = [];
  if (has('inventory')) v.push(...stockViolations(t));
  if (has('payment')) v.push(...moneyViolations(t));
  if (has('order')) v.push(...orderViolations(t, options.terminal ?? true, has('inventory'), has('payment')));
  if (has('loyalty')) v.push(...pointsViolations(t, has('order')));
  if (has('notification') && has('order') && (options.terminal ?? true)) v.push(...notificationViolations(t));
  for (const service of t.stack.services.keys()) {
    const unsent = t.count(service, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    if (unsent > 0) v.push(`${service}: ${unsent} outbox rows never sent`);
  }
  return v;
}

/** Waits for quiescence, then asserts that no invariant is violated. */
export async function assertInvariants(t: TestStack, options: Options = {}): Promise<void> {
  await t.waitForQuiescence();
  assert.deepEqual(findViolations(t, options), [], 'invariants hold');
}

function stockViolations(t: TestStack): string[] {
  const v: string[] = [];
  type Level = { sku: string; available: number; held: number; sold: number; received: number };
  for (const s of t.rows<Level>('inventory', 'SELECT sku, available, held, sold, received FROM stock')) {
    if (s.available + s.held + s.sold !== s.received) v.push(`stock ${s.sku}: available ${s.available} + held ${s.held} + sold ${s.sold} != received ${s.received}`);
    if (s.available < 0 || s.held < 0 || s.sold < 0) v.push(`stock ${s.sku}: a negative bucket (${s.available}/${s.held}/${s.sold})`);
  }
  const byStatus = (...statuses: string[]) =>
    new Map(
      t
        .rows<{ sku: string; n: number }>(
          'inventory',
          `SELECT l.sku, sum(l.quantity) AS n FROM reservation_lines l JOIN reservations r USING (order_id) WHERE r.status IN (${statuses.map(() => '?').join()}) GROUP BY l.sku`,
          ...statuses,
        )
        .map((r) => [r.sku, r.n]),
    );
  const held = byStatus('HELD', 'RELEASING');
  const sold = byStatus('COMMITTED');
  for (const s of t.rows<Level>('inventory', 'SELECT sku, held, sold FROM stock')) {
    if ((held.get(s.sku) ?? 0) !== s.held) v.push(`stock ${s.sku}: held ${s.held} but HELD and RELEASING reservations hold ${held.get(s.sku) ?? 0}`);
    if ((sold.get(s.sku) ?? 0) !== s.sold) v.push(`stock ${s.sku}: sold ${s.sold} but COMMITTED reservations sold ${sold.get(s.sku) ?? 0}`);
  }
  const unarmed = t.rows<{ order_id: string }>(
    'inventory',
    "SELECT order_id FROM reservations r WHERE status = 'RELEASING' AND NOT EXISTS (SELECT 1 FROM timers WHERE id = 'ReleaseHold:' || r.order_id AND fired_at IS NULL)",
  );
  for (const r of unarmed) v.push(`reservation ${r.order_id}: kept (RELEASING) with no release timer pending`);
  const crossed = t.rows<{ from_order_id: string; to_order_id: string }>(
    'inventory',
    `SELECT x.from_order_id, x.to_order_id FROM hold_transfers x JOIN reservations f ON f.order_id = x.from_order_id JOIN reservations n ON n.order_id = x.to_order_id
     WHERE f.customer_id IS NOT n.customer_id`,
  );
  for (const x of crossed) v.push(`hold transfer ${x.from_order_id} -> ${x.to_order_id}: between different customers`);
  return v;
}

function moneyViolations(t: TestStack): string[] {
  const v: string[] = [];
  for (const w of t.rows<{ customer_id: string; balance: number }>('payment', 'SELECT customer_id, balance FROM wallets WHERE balance < 0')) {
    v.push(`wallet ${w.customer_id}: negative balance ${w.balance}`);
  }
  const { balances, credited } = t.rows<{ balances: number; credited: number }>('payment', 'SELECT coalesce(sum(balance), 0) AS balances, coalesce(sum(credited), 0) AS credited FROM wallets')[0]!;
  const captured = t.count('payment', "SELECT coalesce(sum(amount), 0) AS n FROM payments WHERE status = 'CAPTURED'");
  if (balances + captured !== credited) v.push(`money: wallets ${balances} + captured ${captured} != credited ${credited}`);
  return v;
}

function orderViolations(t: TestStack, terminal: boolean, withInventory: boolean, withPayment: boolean): string[] {
  const v: string[] = [];
  const orders = t.rows<{ order_id: string; status: string; customer_id: string; total: number }>('order', 'SELECT order_id, status, customer_id, total FROM orders');
  type PaymentRow = { order_id: string; status: string; customer_id: string; amount: number };
  const paymentRows = withPayment ? new Map(t.rows<PaymentRow>('payment', 'SELECT order_id, status, customer_id, amount FROM payments').map((p) => [p.order_id, p])) : null;
  const payments = paymentRows && new Map([...paymentRows].map(([id, p]) => [id, p.status]));
  const reservations = withInventory
    ? new Map(t.rows<{ order_id: string; status: string }>('inventory', 'SELECT order_id, status FROM reservations').map((r) => [r.order_id, r.status]))
    : null;
  for (const o of orders) {
    const payment = payments?.get(o.order_id);
    const reservation = reservations?.get(o.order_id);
    if (o.status === 'PENDING' && terminal) v.push(`order ${o.order_id}: not terminal (PENDING)`);
    const paid = paymentRows?.get(o.order_id);
    // A charged or refunded order was charged its own total (inventory's prices), to its own customer.
    if (paid && (paid.status === 'CAPTURED' || paid.status === 'REFUNDED' || o.status === 'CONFIRMED')) {
      if (paid.amount !== o.total) v.push(`order ${o.order_id}: total ${o.total} but payment ${paid.status} of ${paid.amount}`);
      if (paid.customer_id !== o.customer_id) v.push(`order ${o.order_id}: of customer ${o.customer_id} but paid by ${paid.customer_id}`);
    }
    if (o.status === 'CONFIRMED') {
      if (payments && payment !== 'CAPTURED') v.push(`order ${o.order_id}: CONFIRMED but payment is ${payment ?? 'missing'}`);
      if (reservations && reservation !== 'COMMITTED') v.push(`order ${o.order_id}: CONFIRMED but reservation is ${reservation ?? 'missing'}`);
    }
    if (o.status === 'CANCELLED') {
      if (payment === 'CAPTURED') v.push(`order ${o.order_id}: CANCELLED but still charged`);
      if (reservation === 'HELD' || reservation === 'COMMITTED') v.push(`order ${o.order_id}: CANCELLED but stock is ${reservation}`);
    }
    if (o.status === 'REFUNDING' && terminal) v.push(`order ${o.order_id}: not terminal (REFUNDING)`);
    if (o.status === 'REFUNDED') {
      if (payments && payment !== 'REFUNDED') v.push(`order ${o.order_id}: REFUNDED but payment is ${payment ?? 'missing'}`);
      if (reservations && reservation !== 'RESTOCKED') v.push(`order ${o.order_id}: REFUNDED but reservation is ${reservation ?? 'missing'}`);
    }
  }
  return v;
}

function pointsViolations(t: TestStack, withOrders: boolean): string[] {
  const v: string[] = [];
  type Account = { customer_id: string; balance: number; debt: number };
  const confirmed = new Map(
    t.rows<{ customer_id: string; n: number }>('loyalty', "SELECT customer_id, sum(points) AS n FROM entries WHERE status = 'CONFIRMED' GROUP BY customer_id").map((r) => [r.customer_id, r.n]),
  );
  for (const a of t.rows<Account>('loyalty', 'SELECT customer_id, balance, debt FROM accounts')) {
    if (a.balance < 0 || a.debt < 0) v.push(`points ${a.customer_id}: negative balance or debt (${a.balance}/${a.debt})`);
    if (a.balance - a.debt !== (confirmed.get(a.customer_id) ?? 0)) v.push(`points ${a.customer_id}: balance ${a.balance} - debt ${a.debt} != confirmed points ${confirmed.get(a.customer_id) ?? 0}`);
  }
  if (!withOrders) return v;
  const status = new Map(t.rows<{ order_id: string; status: string }>('order', 'SELECT order_id, status FROM orders').map((o) => [o.order_id, o.status]));
  for (const e of t.rows<{ order_id: string; status: string }>('loyalty', "SELECT order_id, status FROM entries WHERE status IN ('CONFIRMED', 'PENDING')")) {
    const order = status.get(e.order_id);
    if (e.status === 'CONFIRMED' && order !== 'CONFIRMED' && order !== 'REFUNDING') v.push(`points of order ${e.order_id}: CONFIRMED but the order is ${order ?? 'missing'}`);
    if (e.status === 'PENDING' && (order === 'CANCELLED' || order === 'REFUNDED' || order === 'CONFIRMED')) v.push(`points of order ${e.order_id}: still PENDING but the order is ${order}`);
  }
  return v;
}

function notificationViolations(t: TestStack): string[] {
  const v: string[] = [];
  const kindOf: Record<string, string> = { CONFIRMED: 'confirmed', CANCELLED: 'cancelled', REFUNDED: 'refunded' };
  const sent = new Set(t.rows<{ id: string }>('notification', "SELECT id FROM notifications WHERE status = 'SENT'").map((n) => n.id));
  for (const o of t.rows<{ order_id: string; status: string }>('order', 'SELECT order_id, status FROM orders')) {
    const kind = kindOf[o.status];
    if (kind && !sent.has(`${o.order_id}:${kind}`)) v.push(`order ${o.order_id}: ${o.status} but no ${kind} notification sent`);
  }
  return v;
}
