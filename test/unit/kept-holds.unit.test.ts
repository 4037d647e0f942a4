import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderSummary } from '@jetsaga/events';
import { message, routerSpec, timerDue } from '@jetsaga/messaging';
import { type HoldTransfer, type InventoryDecision, type InventoryState, RELEASE_HOLD, type Reservation, type StockLevel } from '../../services/inventory/src/decide.js';
import { react, type InventoryInput } from '../../services/inventory/src/react.js';

/**
 * Kept holds across sagas: whatever a customer's orders, cancellations (with a release
 * delay), commits and release timers do, in any order, stock adds up and is held only by
 * reservations that hold it, and kept stock only ever moves to its own customer.
 */

const skus = ['apple', 'pear'] as const;
/** Inventory's price list: every sku at 1, as the orders below carry. */
const prices: ReadonlyMap<string, number> = new Map(skus.map((sku) => [sku, 1]));
const customers = ['ann', 'bob'] as const;
/** Inventory's real router, with a release delay: a cancelled order's hold is kept for its customer. */
const spec = routerSpec(react, { settings: { releaseDelayMs: 5_000 } });

type Step =
  | { kind: 'place'; customer: (typeof customers)[number]; apples: number; pears: number }
  | { kind: 'cancel' | 'release' | 'commit'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('place' as const), customer: fc.constantFrom(...customers), apples: fc.integer({ min: 0, max: 3 }), pears: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constantFrom('cancel' as const, 'release' as const, 'commit' as const), pick: fc.nat() }),
);

class World {
  readonly stock = new Map<string, StockLevel>(skus.map((sku) => [sku, { sku, available: 4, held: 0, sold: 0, received: 4 }]));
  readonly reservations = new Map<string, Reservation>();
  readonly transfers: HoldTransfer[] = [];
  /** What order published about each placed order (its later events carry it). */
  private readonly orders = new Map<string, OrderSummary>();
  private next = 0;

  run(s: Step): void {
    if (s.kind === 'place') return this.place(s.customer, s.apples, s.pears);
    const ids = [...this.reservations.keys()];
    if (ids.length === 0) return;
    const orderId = ids[s.pick % ids.length]!;
    const order = this.orders.get(orderId)!;
    // As inventory's store loads it: the order's reservation and the stock.
    const state: InventoryState = { reservation: this.reservations.get(orderId), stock: this.stock };
    if (s.kind === 'cancel') this.react(state, message('OrderCancelled', { ...order, reason: 'timeout' }));
    if (s.kind === 'release') this.react(state, timerDue(RELEASE_HOLD, orderId, { reason: 'order_cancelled' }));
    if (s.kind === 'commit') this.react(state, message('OrderConfirmed', order));
  }

  private place(customerId: string, apples: number, pears: number): void {
    const items = [
      { sku: 'apple', quantity: apples, unitPrice: 1 },
      { sku: 'pear', quantity: pears, unitPrice: 1 },
    ].filter((i) => i.quantity > 0);
    if (items.length === 0) return;
    const order: OrderSummary = { orderId: `o${this.next++}`, customerId, items, total: apples + pears };
    this.orders.set(order.orderId, order);
    // A new order's state also has its customer's kept holds.
    const keptHolds = [...this.reservations.values()].filter((r) => r.customerId === customerId && r.status === 'RELEASING');
    // and the prices of its skus (the order carries them: every sku is priced at 1).
    this.react({ reservation: undefined, stock: this.stock, keptHolds, prices }, message('OrderCreated', order));
  }

  /** The router decides; the world saves the decision's changes. */
  private react(state: InventoryState, input: InventoryInput): void {
    const d: InventoryDecision = spec.given(state).when(input).decision();
    const changes = d.changes;
    if (!changes) return;
    for (const r of [...(changes.reservation ? [changes.reservation] : []), ...(changes.keptHolds ?? [])]) this.reservations.set(r.orderId, r);
    for (const l of changes.stock) this.stock.set(l.sku, l);
    this.transfers.push(...(changes.transfers ?? []));
  }

  violations(): string[] {
    const v: string[] = [];
    for (const l of this.stock.values()) {
      if (l.available + l.held + l.sold !== l.received) v.push(`${l.sku}: buckets do not add up`);
      if (l.available < 0 || l.held < 0 || l.sold < 0) v.push(`${l.sku}: a negative bucket`);
      const holding = [...this.reservations.values()].filter((r) => r.status === 'HELD' || r.status === 'RELEASING');
      const held = holding.reduce((n, r) => n + (r.lines.find((x) => x.sku === l.sku)?.quantity ?? 0), 0);
      if (held !== l.held) v.push(`${l.sku}: held ${l.held} but reservations hold ${held}`);
    }
    for (const t of this.transfers) {
      if (this.reservations.get(t.fromOrderId)?.customerId !== this.reservations.get(t.toOrderId)?.customerId) v.push(`transfer ${t.fromOrderId} -> ${t.toOrderId} crosses customers`);
    }
    for (const r of this.reservations.values()) {
      if (r.lines.some((l) => l.quantity <= 0)) v.push(`${r.orderId}: an empty or negative line`);
      if (r.status === 'TRANSFERRED' && r.lines.length > 0) v.push(`${r.orderId}: TRANSFERRED but still holds`);
    }
    return v;
  }
}

describe('kept holds across a customer\'s orders', () => {
  it('keeps stock conserved, held stock owned, and transfers within one customer, after any steps in any order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const world = new World();
        for (const s of steps) {
          world.run(s);
          assert.deepEqual(world.violations(), [], JSON.stringify(s));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives back, once every kept hold is released, exactly what was not sold', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        // given any history
        const world = new World();
        for (const s of steps) world.run(s);
        // when every order still holding is cancelled and its release fires
        for (const id of [...world.reservations.keys()]) {
          world.run({ kind: 'cancel', pick: [...world.reservations.keys()].indexOf(id) });
          world.run({ kind: 'release', pick: [...world.reservations.keys()].indexOf(id) });
        }
        // then nothing is held, and available + sold is what was received
        for (const l of world.stock.values()) {
          assert.equal(l.held, 0, l.sku);
          assert.equal(l.available + l.sold, l.received, l.sku);
        }
        assert.deepEqual(world.violations(), []);
      }),
      { numRuns: 300 },
    );
  });
});
