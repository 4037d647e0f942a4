import type { Envelope } from '@jetsaga/events';

/**
 * Events that a saga may carry more than once, each for its own cause, and how to tell the
 * causes apart. Every other event of a saga is emitted once: copies of one envelope (the same
 * id, re-published after a crash between publish and mark) count once.
 *
 * - `StockHoldTransferred`: on a cancelled order whose hold inventory kept for its customer
 *   (JETSAGA_STOCK_RELEASE_DELAY_MS), one per re-order of that customer that took from it: a
 *   hold can go in parts to several re-orders, never twice to the same one.
 * - `RefundRejected`, `CancelRejected`: one per refused RequestRefund / CancelOrder command
 *   (its causation), e.g. a refund asked twice.
 * - Inventory as partitions (docs/partitions.md): each partition owning skus of the order emits
 *   its own StockPartHeld / StockPartRefused (its `part`), and its own StockCommitted,
 *   StockReleased, StockRestocked and StockHoldTransferred about its own skus (disjoint sets).
 *   Unpartitioned there is one of each, about all of the order's skus.
 */
export const repeatable: Record<string, { cause: string; keyOf: (e: Envelope) => string }> = {
  StockHoldTransferred: { cause: "re-order and partition's skus", keyOf: (e) => `${String(dataOf(e).toOrderId)} ${skusOf(e)}` },
  StockPartHeld: { cause: 'partition', keyOf: (e) => String(dataOf(e).part) },
  StockPartRefused: { cause: 'partition', keyOf: (e) => String(dataOf(e).part) },
  StockCommitted: { cause: "partition's skus", keyOf: skusOf },
  StockReleased: { cause: "partition's skus", keyOf: skusOf },
  StockRestocked: { cause: "partition's skus", keyOf: skusOf },
  RefundRejected: { cause: 'RequestRefund', keyOf: (e) => String(e.causationId) },
  CancelRejected: { cause: 'CancelOrder', keyOf: (e) => String(e.causationId) },
};

/** How often each path of the protocol happened in a run, read from its events. */
export interface ProtocolCoverage {
  sagas: number;
  confirmed: number;
  /** OrderCancelled by reason (out_of_stock, payment_failed, timeout, ...). */
  cancelled: Record<string, number>;
  /** Charged, then cancelled (the charge landed after the deadline, or raced it), and refunded. */
  lateChargesRefunded: number;
  /** Cancelled orders whose kept hold went, in part or whole, to a re-order of the customer ... */
  keptHoldsTaken: number;
  /** ... to two re-orders or more (a hold split in parts) ... */
  keptHoldsSplit: number;
  /** ... and whose rest the release timer gave back (StockReleased after a transfer). */
  keptHoldsRestReleased: number;
  /** Orders refunded (OrderRefunded: money, stock and points back). */
  refunded: number;
  /** RefundRejected events: a refund asked twice, or of an order not confirmed. */
  refundsRejected: number;
}

const dataOf = (e: Envelope): Record<string, unknown> => (e.data ?? {}) as Record<string, unknown>;

/** The skus an event's items name, sorted: what one inventory partition's event is about. */
function skusOf(e: Envelope): string {
  return [...quantities(dataOf(e).items).keys()].sort().join(',');
}

/** Whether the events of `type` name every sku of `order`'s items (one event, or one per partition). */
function coversOrder(order: Envelope, copies: Map<string, Envelope> | undefined): boolean {
  const named = new Set([...(copies?.values() ?? [])].flatMap((e) => [...quantities(dataOf(e).items).keys()]));
  return [...quantities(dataOf(order).items).keys()].every((sku) => named.has(sku));
}

type Line = { sku: string; quantity: number };

function quantities(lines: unknown): Map<string, number> {
  const bySku = new Map<string, number>();
  for (const l of Array.isArray(lines) ? (lines as Line[]) : []) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  return bySku;
}

/**
 * The EVENTS side of the invariants, per saga (after quiescence): each event once unless
 * `repeatable` says why it may repeat, and then once per cause; exactly one of OrderConfirmed
 * and OrderCancelled; a kept hold transferred only from a cancelled order that held it, at
 * most what it held; a confirmed order's stock committed; a charge on a cancelled order
 * refunded; a requested refund carried through (payment, stock, order) on a confirmed order.
 */
export function sagaEventViolations(events: readonly Envelope[]): { violations: string[]; coverage: ProtocolCoverage } {
  const bySaga = new Map<string, Map<string, Map<string, Envelope>>>();
  for (const e of events) {
    if (!e.sagaId) continue;
    const types = bySaga.get(e.sagaId) ?? new Map<string, Map<string, Envelope>>();
    bySaga.set(e.sagaId, types);
    const copies = types.get(e.type) ?? new Map<string, Envelope>();
    types.set(e.type, copies.set(e.id, e));
  }
  const v: string[] = [];
  const coverage: ProtocolCoverage = {
    sagas: bySaga.size,
    confirmed: 0,
    cancelled: {},
    lateChargesRefunded: 0,
    keptHoldsTaken: 0,
    keptHoldsSplit: 0,
    keptHoldsRestReleased: 0,
    refunded: 0,
    refundsRejected: 0,
  };
  for (const [sagaId, types] of bySaga) {
    const at = `order ${sagaId}`;
    const has = (type: string) => (types.get(type)?.size ?? 0) > 0;
    const one = (type: string) => types.get(type)?.values().next().value as Envelope | undefined;
    for (const [type, copies] of types) {
      const rule = repeatable[type];
      if (!rule) {
        if (copies.size > 1) v.push(`${at}: ${type} emitted ${copies.size} times`);
        continue;
      }
      const perCause = new Map<string, number>();
      for (const e of copies.values()) perCause.set(rule.keyOf(e), (perCause.get(rule.keyOf(e)) ?? 0) + 1);
      for (const [cause, n] of perCause) if (n > 1) v.push(`${at}: ${type} emitted ${n} times for one ${rule.cause} (${cause})`);
    }
    const terminal = (has('OrderConfirmed') ? 1 : 0) + (has('OrderCancelled') ? 1 : 0);
    if (terminal !== 1) v.push(`${at}: ${terminal} terminal events in EVENTS`);
    if (has('OrderConfirmed')) {
      coverage.confirmed++;
      if (!coversOrder(one('OrderConfirmed')!, types.get('StockCommitted'))) v.push(`${at}: confirmed but not all its stock was committed (StockCommitted of every sku)`);
    }
    const cancelled = one('OrderCancelled');
    if (cancelled) {
      const reason = String(dataOf(cancelled).reason);
      coverage.cancelled[reason] = (coverage.cancelled[reason] ?? 0) + 1;
      if (has('PaymentSucceeded')) {
        if (has('PaymentRefunded')) coverage.lateChargesRefunded++;
        else v.push(`${at}: charged and cancelled (${reason}) but never refunded (no PaymentRefunded)`);
      }
    }
    const transfers = [...(types.get('StockHoldTransferred')?.values() ?? [])];
    if (transfers.length > 0) {
      coverage.keptHoldsTaken++;
      if (new Set(transfers.map((e) => dataOf(e).toOrderId)).size > 1) coverage.keptHoldsSplit++;
      if (has('StockReleased')) coverage.keptHoldsRestReleased++;
      // partitioned, a part may have held (StockPartHeld) when the order was cancelled before every part answered
      const reserved = one('StockReserved') ?? one('StockPartHeld');
      if (!cancelled || !reserved) v.push(`${at}: StockHoldTransferred but ${reserved ? 'never cancelled' : 'nothing was held (no StockReserved)'}`);
      if (reserved) {
        const held = quantities(dataOf(reserved).items);
        const moved = new Map<string, number>();
        for (const e of transfers) for (const [sku, q] of quantities(dataOf(e).items)) moved.set(sku, (moved.get(sku) ?? 0) + q);
        for (const [sku, q] of moved) if (q > (held.get(sku) ?? 0)) v.push(`${at}: ${q} of ${sku} transferred to re-orders but it held ${held.get(sku) ?? 0}`);
      }
    }
    if (has('RefundRequested')) {
      if (!has('OrderConfirmed')) v.push(`${at}: RefundRequested on an order never confirmed`);
      const missing = ['PaymentRefunded', 'StockRestocked', 'OrderRefunded'].filter((t) => !has(t));
      if (missing.length > 0) v.push(`${at}: refund requested but not carried through (no ${missing.join(', ')})`);
      else if (!coversOrder(one('RefundRequested')!, types.get('StockRestocked'))) v.push(`${at}: refunded but not all its stock was restocked (StockRestocked of every sku)`);
    } else if (has('OrderRefunded')) v.push(`${at}: OrderRefunded with no RefundRequested`);
    if (has('OrderRefunded')) coverage.refunded++;
    coverage.refundsRejected += types.get('RefundRejected')?.size ?? 0;
  }
  return { violations: v, coverage };
}
