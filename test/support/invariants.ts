import assert from 'node:assert/strict';
import type { TestStack } from './harness.js';

interface Options {
  /** Every order must be CONFIRMED or CANCELLED, every transfer COMPLETED or FAILED (after quiescence). Default true. */
  terminal?: boolean;
}

/**
 * The invariants of ARCHITECTURE.md, read from every service's db. Returns each violation as
 * a sentence naming the sku, customer or order involved; empty when all hold.
 */
export function findViolations(t: TestStack, options: Options = {}): string[] {
  const has = (s: string) => t.stack.processes.has(s);
  const v: string[] = [];
  if (has('inventory')) v.push(...stockViolations(t));
  if (has('payment')) v.push(...moneyViolations(t));
  if (has('order')) v.push(...orderViolations(t, options.terminal ?? true, has('inventory'), has('payment')));
  if (has('loyalty')) v.push(...pointsViolations(t, has('order')));
  if (has('notification') && has('order') && (options.terminal ?? true)) v.push(...notificationViolations(t));
  v.push(...bankViolations(t));
  if (has('transfer')) v.push(...transferViolations(t, options.terminal ?? true));
  if (has('customer')) v.push(...registrationViolations(t, has('loyalty'), has('notification') && (options.terminal ?? true)));
  for (const service of t.stack.services.keys()) {
    // each process, each partition on its own
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
  const balances = t.count('payment', 'SELECT coalesce(sum(balance), 0) AS n FROM wallets');
  const credited = t.count('payment', 'SELECT coalesce(sum(credited), 0) AS n FROM wallets');
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
  // Inventory as partitions: one reservation per partition owning skus of the order, each checked.
  const reservations = withInventory ? new Map<string, string[]>() : null;
  if (reservations) for (const r of t.rows<{ order_id: string; status: string }>('inventory', 'SELECT order_id, status FROM reservations')) reservations.set(r.order_id, [...(reservations.get(r.order_id) ?? []), r.status]);
  const off = (statuses: string[] | undefined, wanted: string) => (!statuses?.length ? 'missing' : statuses.find((s) => s !== wanted));
  for (const o of orders) {
    const payment = payments?.get(o.order_id);
    const held = reservations?.get(o.order_id);
    if (o.status === 'PENDING' && terminal) v.push(`order ${o.order_id}: not terminal (PENDING)`);
    const paid = paymentRows?.get(o.order_id);
    // A charged or refunded order was charged its own total (inventory's prices), to its own customer.
    if (paid && (paid.status === 'CAPTURED' || paid.status === 'REFUNDED' || o.status === 'CONFIRMED')) {
      if (paid.amount !== o.total) v.push(`order ${o.order_id}: total ${o.total} but payment ${paid.status} of ${paid.amount}`);
      if (paid.customer_id !== o.customer_id) v.push(`order ${o.order_id}: of customer ${o.customer_id} but paid by ${paid.customer_id}`);
    }
    if (o.status === 'CONFIRMED') {
      if (payments && payment !== 'CAPTURED') v.push(`order ${o.order_id}: CONFIRMED but payment is ${payment ?? 'missing'}`);
      const wrong = reservations && off(held, 'COMMITTED');
      if (wrong) v.push(`order ${o.order_id}: CONFIRMED but reservation is ${wrong}`);
    }
    if (o.status === 'CANCELLED') {
      if (payment === 'CAPTURED') v.push(`order ${o.order_id}: CANCELLED but still charged`);
      const holding = held?.find((s) => s === 'HELD' || s === 'COMMITTED');
      if (holding) v.push(`order ${o.order_id}: CANCELLED but stock is ${holding}`);
    }
    if (o.status === 'REFUNDING' && terminal) v.push(`order ${o.order_id}: not terminal (REFUNDING)`);
    if (o.status === 'REFUNDED') {
      if (payments && payment !== 'REFUNDED') v.push(`order ${o.order_id}: REFUNDED but payment is ${payment ?? 'missing'}`);
      const wrong = reservations && off(held, 'RESTOCKED');
      if (wrong) v.push(`order ${o.order_id}: REFUNDED but reservation is ${wrong}`);
    }
  }
  return v;
}

function pointsViolations(t: TestStack, withOrders: boolean): string[] {
  const v: string[] = [];
  type Account = { customer_id: string; balance: number; debt: number };
  // Confirmed points of orders, and welcome points (once per customer).
  const confirmed = new Map<string, number>();
  const earned = t.rows<{ customer_id: string; n: number }>(
    'loyalty',
    "SELECT customer_id, sum(n) AS n FROM (SELECT customer_id, points AS n FROM entries WHERE status = 'CONFIRMED' UNION ALL SELECT customer_id, points AS n FROM welcomes) GROUP BY customer_id",
  );
  for (const r of earned) confirmed.set(r.customer_id, r.n);
  for (const a of t.rows<Account>('loyalty', 'SELECT customer_id, balance, debt FROM accounts')) {
    if (a.balance < 0 || a.debt < 0) v.push(`points ${a.customer_id}: negative balance or debt (${a.balance}/${a.debt})`);
    if (a.balance - a.debt !== (confirmed.get(a.customer_id) ?? 0)) v.push(`points ${a.customer_id}: balance ${a.balance} - debt ${a.debt} != confirmed and welcome points ${confirmed.get(a.customer_id) ?? 0}`);
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

/** The banks of this stack: `bank-a` -> `a`. */
function banksOf(t: TestStack): string[] {
  return t.serviceNames.filter((s) => s.startsWith('bank-')).map((s) => s.slice('bank-'.length));
}

type AccountRow = { account_id: string; balance: number; frozen: number; pending: number; deposited: number; sent: number; received: number };
type TryRow = { transfer_id: string; account_id: string; amount: number; status: string };

/**
 * Money across the banks. Per bank and account: no bucket below zero; balance + frozen ==
 * deposited + received - sent; frozen and pending are exactly its FROZEN freezes and PENDING
 * credits; sent and received its DEBITED freezes and CREDITED credits. Across the banks: the sum
 * of balances, frozen and pending amounts is the sum of deposits. A transfer on its way counts
 * once (`inFlight`): a pending credit is money only once its source has debited (before, the
 * money is frozen at the source, or back in its balance), and a credit confirmed while the
 * freeze is not debited yet is the frozen money.
 */
function bankViolations(t: TestStack): string[] {
  const v: string[] = [];
  const banks = banksOf(t);
  if (banks.length === 0) return v;
  let holdings = 0;
  let deposits = 0;
  const freezes = new Map<string, TryRow>();
  const credits = new Map<string, TryRow>();
  for (const bank of banks) {
    const service = `bank-${bank}`;
    const bankFreezes = t.rows<TryRow>(service, 'SELECT transfer_id, account_id, amount, status FROM freezes');
    const bankCredits = t.rows<TryRow>(service, 'SELECT transfer_id, account_id, amount, status FROM credits');
    const sum = (rows: TryRow[], accountId: string, status: string) => rows.filter((r) => r.account_id === accountId && r.status === status).reduce((n, r) => n + r.amount, 0);
    for (const a of t.rows<AccountRow>(service, 'SELECT account_id, balance, frozen, pending, deposited, sent, received FROM accounts')) {
      const at = `${service} account ${a.account_id}`;
      if (a.balance < 0 || a.frozen < 0 || a.pending < 0) v.push(`${at}: below zero (balance ${a.balance}, frozen ${a.frozen}, pending ${a.pending})`);
      if (a.balance + a.frozen !== a.deposited + a.received - a.sent) v.push(`${at}: balance ${a.balance} + frozen ${a.frozen} != deposited ${a.deposited} + received ${a.received} - sent ${a.sent}`);
      if (a.frozen !== sum(bankFreezes, a.account_id, 'FROZEN')) v.push(`${at}: frozen ${a.frozen} but its FROZEN freezes hold ${sum(bankFreezes, a.account_id, 'FROZEN')}`);
      if (a.pending !== sum(bankCredits, a.account_id, 'PENDING')) v.push(`${at}: pending ${a.pending} but its PENDING credits hold ${sum(bankCredits, a.account_id, 'PENDING')}`);
      if (a.sent !== sum(bankFreezes, a.account_id, 'DEBITED')) v.push(`${at}: sent ${a.sent} but its DEBITED freezes are ${sum(bankFreezes, a.account_id, 'DEBITED')}`);
      if (a.received !== sum(bankCredits, a.account_id, 'CREDITED')) v.push(`${at}: received ${a.received} but its CREDITED credits are ${sum(bankCredits, a.account_id, 'CREDITED')}`);
      holdings += a.balance + a.frozen + a.pending;
      deposits += a.deposited;
    }
    for (const f of bankFreezes) freezes.set(f.transfer_id, f);
    for (const c of bankCredits) credits.set(c.transfer_id, c);
  }
  let counted = 0;
  for (const [id, f] of freezes) {
    const c = credits.get(id);
    counted += inFlight(f.status, c?.status, f.amount);
    if (f.status === 'DEBITED' && c && c.status !== 'PENDING' && c.status !== 'CREDITED') v.push(`transfer ${id}: debited at the source but the credit is ${c.status}`);
  }
  if (holdings - counted !== deposits) v.push(`money across banks ${banks.join(',')}: balances + frozen + pending ${holdings}${counted ? ` - ${counted} in flight` : ''} != deposits ${deposits}`);
  return v;
}

/**
 * What a transfer's freeze and credit count twice of `amount` in balances + frozen + pending: a
 * pending credit whose source has not debited (the money is still frozen there, or back in the
 * balance), or a confirmed credit whose freeze is still FROZEN (the money has arrived).
 */
export function inFlight(freeze: string | undefined, credit: string | undefined, amount: number): number {
  if (credit === 'PENDING' && freeze !== 'DEBITED') return amount;
  if (credit === 'CREDITED' && freeze === 'FROZEN') return amount;
  return 0;
}

/**
 * Every transfer terminal (COMPLETED or FAILED); a COMPLETED one debited at its source and
 * credited at its destination, a FAILED one neither, with every try cancelled (nothing frozen
 * or pending for it).
 */
function transferViolations(t: TestStack, terminal: boolean): string[] {
  const v: string[] = [];
  const banks = new Set(banksOf(t));
  const tryOf = (bank: string, table: 'freezes' | 'credits', id: string) =>
    banks.has(bank) ? (t.rows<{ status: string }>(`bank-${bank}`, `SELECT status FROM ${table} WHERE transfer_id = ?`, id)[0]?.status ?? 'missing') : undefined;
  type TransferRow = { transfer_id: string; status: string; from_bank: string; to_bank: string };
  for (const tr of t.rows<TransferRow>('transfer', 'SELECT transfer_id, status, from_bank, to_bank FROM transfers')) {
    const at = `transfer ${tr.transfer_id}`;
    if (terminal && tr.status !== 'COMPLETED' && tr.status !== 'FAILED') v.push(`${at}: not terminal (${tr.status})`);
    const freeze = tryOf(tr.from_bank, 'freezes', tr.transfer_id);
    const credit = tryOf(tr.to_bank, 'credits', tr.transfer_id);
    if (tr.status === 'COMPLETED') {
      if (freeze !== undefined && freeze !== 'DEBITED') v.push(`${at}: COMPLETED but its freeze is ${freeze}`);
      if (credit !== undefined && credit !== 'CREDITED') v.push(`${at}: COMPLETED but its credit is ${credit}`);
    }
    if (tr.status === 'FAILED' && terminal) {
      if (freeze === 'FROZEN' || freeze === 'DEBITED') v.push(`${at}: FAILED but its freeze is ${freeze}`);
      if (credit === 'PENDING' || credit === 'CREDITED') v.push(`${at}: FAILED but its credit is ${credit}`);
    }
  }
  return v;
}

/** Every registered customer got the welcome points once, and (after quiescence) the welcome notice. */
function registrationViolations(t: TestStack, withLoyalty: boolean, withNotices: boolean): string[] {
  const v: string[] = [];
  const welcomed = withLoyalty ? new Set(t.rows<{ customer_id: string }>('loyalty', 'SELECT customer_id FROM welcomes').map((w) => w.customer_id)) : null;
  const sent = withNotices ? new Set(t.rows<{ id: string }>('notification', "SELECT id FROM notifications WHERE kind = 'welcome' AND status = 'SENT'").map((n) => n.id)) : null;
  for (const { customer_id: id } of t.rows<{ customer_id: string }>('customer', 'SELECT customer_id FROM customers')) {
    if (welcomed && !welcomed.has(id)) v.push(`customer ${id}: registered but no welcome points`);
    if (sent && !sent.has(`${id}:welcome`)) v.push(`customer ${id}: registered but no welcome notice sent`);
  }
  return v;
}
