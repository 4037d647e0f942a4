import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderItem } from '@jetsaga/events';
import { message, routerSpec, timerDue } from '@jetsaga/messaging';
import {
  emptyLevel,
  linesOf,
  RELEASE_HOLD,
  type InventoryDecision,
  type InventoryState,
  type ReleaseReason,
  type Reservation,
  type StockLevel,
} from './decide.js';
import { react, type InventoryInput } from './react.js';

/** Inventory's real router; no release delay unless a case says otherwise. */
const spec = routerSpec(react, { settings: { releaseDelayMs: 0 } });

/** The router's decision for one input, for assertions of the test's own. */
function decide(state: InventoryState, input: InventoryInput, releaseDelayMs?: number): InventoryDecision {
  return spec
    .given(state)
    .when(input, releaseDelayMs === undefined ? {} : { settings: { releaseDelayMs } })
    .decision();
}

// ---- given helpers ------------------------------------------------------------------

/** A stock level whose buckets add up: received = available + held + sold. */
function level(sku: string, available: number, held = 0, sold = 0): StockLevel {
  return { sku, available, held, sold, received: available + held + sold };
}

function stockOf(...levels: StockLevel[]): ReadonlyMap<string, StockLevel> {
  return new Map(levels.map((l) => [l.sku, l]));
}

/** Inventory's price list, as the store loads it for a new order. */
function pricesOf(list: Record<string, number>): ReadonlyMap<string, number> {
  return new Map(Object.entries(list));
}

/** Every sku the tests order, at 100: what item() asks by default. */
const catalog = pricesOf({ apple: 100, pear: 100, plum: 100 });

function item(sku: string, quantity: number, unitPrice = 100): OrderItem {
  return { sku, quantity, unitPrice };
}

function order(items: OrderItem[]) {
  return { orderId: 'order-1', customerId: 'cust-1', items, total: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) };
}

function held(lines: Reservation['lines'], status: Reservation['status'] = 'HELD'): Reservation {
  return { orderId: 'order-1', status, lines };
}

const tombstone: Reservation = { orderId: 'order-1', status: 'CANCELLED', lines: [] };

// ---- when: the inputs that reach each decision ------------------------------------------

/** Order's summary of order-1 (or `orderId`): what its later events carry; the router reads only the orderId. */
function summary(orderId = 'order-1') {
  return { orderId, customerId: 'cust-1', items: [item('apple', 3)], total: 300 };
}

/** OrderCreated: the TCC try (reserve). */
const orderCreated = (placed: ReturnType<typeof order>) => message('OrderCreated', placed);
/** OrderConfirmed: the TCC confirm (commit). */
const orderConfirmed = () => message('OrderConfirmed', summary());
/** OrderCancelled: a cancellation whose release reason is order_cancelled. */
const orderCancelled = (orderId = 'order-1') => message('OrderCancelled', { ...summary(orderId), reason: 'timeout' });
/** PaymentFailed: a cancellation whose release reason is payment_failed. */
const paymentFailed = (orderId = 'order-1') =>
  message('PaymentFailed', { orderId, customerId: 'cust-1', amount: 300, reason: 'insufficient_funds', balance: 0 });
/** The cancel message whose release carries `reason`. */
const cancelWith = (reason: ReleaseReason, orderId = 'order-1') => (reason === 'payment_failed' ? paymentFailed(orderId) : orderCancelled(orderId));
/** The delayed release of a kept hold (or of a hold cancelled without delay): the TCC cancel. */
const releaseDue = (orderId: string, reason: ReleaseReason) => timerDue(RELEASE_HOLD, orderId, { reason });
/** PaymentRefunded of a refund: the restock. */
const refunded = (reason: 'refund_requested' | 'order_cancelled' = 'refund_requested') =>
  message('PaymentRefunded', { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-1', reason });
const setStock = (sku: string, quantity: number) => message('SetStock', { sku, quantity });
const setPrice = (sku: string, unitPrice: number) => message('SetPrice', { sku, unitPrice });

function assertConserved(levels: StockLevel[]): void {
  for (const l of levels) {
    assert.equal(l.available + l.held + l.sold, l.received, `buckets of ${l.sku} must add up to received`);
    assert.ok(l.available >= 0 && l.held >= 0 && l.sold >= 0, `no bucket of ${l.sku} goes negative`);
  }
}

/** The state after a decision's changes are saved (what the store would load next). */
function apply(state: InventoryState, decision: InventoryDecision): InventoryState {
  const stock = new Map(state.stock);
  for (const l of decision.changes?.stock ?? []) stock.set(l.sku, l);
  return { reservation: decision.changes?.reservation ?? state.reservation, stock, prices: state.prices };
}

// ---- linesOf --------------------------------------------------------------------------

describe('linesOf', () => {
  it('sums the quantities of lines that name the same sku, keeping first-seen order', () => {
    const lines = linesOf([item('apple', 2), item('pear', 1), item('apple', 3)]);
    assert.deepEqual(lines, [
      { sku: 'apple', quantity: 5 },
      { sku: 'pear', quantity: 1 },
    ]);
  });
});

// ---- OrderCreated: reserve ----------------------------------------------------------------

describe('OrderCreated (reserve)', () => {
  it('holds every line of the order when all skus have enough stock', () => {
    const placed = order([item('apple', 3, 50), item('pear', 2, 80)]);

    // given two skus in stock; when the order is reserved
    const reserving = spec.given({ reservation: undefined, prices: pricesOf({ apple: 50, pear: 80 }), stock: stockOf(level('apple', 10), level('pear', 5)) }).when(orderCreated(placed));
    reserving
      // then each line moves from available to held, and StockReserved carries the order
      .then({
        changes: {
          reservation: {
            orderId: 'order-1',
            customerId: 'cust-1',
            status: 'HELD',
            lines: [
              { sku: 'apple', quantity: 3 },
              { sku: 'pear', quantity: 2 },
            ],
          },
          stock: [
            { sku: 'apple', available: 7, held: 3, sold: 0, received: 10 },
            { sku: 'pear', available: 3, held: 2, sold: 0, received: 5 },
          ],
        },
        events: [
          {
            type: 'StockReserved',
            data: {
              orderId: 'order-1',
              customerId: 'cust-1',
              items: [item('apple', 3, 50), item('pear', 2, 80)],
              total: 310,
            },
          },
        ],
      });
    assertConserved(reserving.decision().changes!.stock);
  });

  it('holds the order when a sku has exactly the requested quantity available', () => {
    const state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 4)) };

    const decision = decide(state, orderCreated(order([item('apple', 4)])));

    assert.equal(decision.changes?.reservation?.status, 'HELD');
    assert.deepEqual(decision.changes?.stock, [{ sku: 'apple', available: 0, held: 4, sold: 0, received: 4 }]);
    assert.deepEqual(decision.events?.map((e) => e.type), ['StockReserved']);
  });

  it('holds nothing when one sku of several is short, and lists that shortage', () => {
    // given apple is plentiful but pear is short; when an order asks for both
    spec
      .given({ reservation: undefined, prices: catalog, stock: stockOf(level('apple', 10), level('pear', 1)) })
      .when(orderCreated(order([item('apple', 3), item('pear', 2)])))
      // then nothing is held (not even apple), the reservation is REJECTED
      .then({
        changes: { reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] }, stock: [] },
        events: [
          {
            type: 'StockReservationFailed',
            data: {
              orderId: 'order-1',
              reason: 'out_of_stock',
              shortages: [{ sku: 'pear', requested: 2, available: 1 }],
            },
          },
        ],
      });
  });

  it('lists every short sku, with available 0 for a sku that was never stocked', () => {
    spec
      .given({ reservation: undefined, prices: catalog, stock: stockOf(level('apple', 1), level('pear', 9)) })
      .when(orderCreated(order([item('apple', 2), item('pear', 1), item('plum', 1)])))
      .then({
        changes: { reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] }, stock: [] },
        events: [
          {
            type: 'StockReservationFailed',
            data: {
              orderId: 'order-1',
              reason: 'out_of_stock',
              shortages: [
                { sku: 'apple', requested: 2, available: 1 },
                { sku: 'plum', requested: 1, available: 0 },
              ],
            },
          },
        ],
      });
  });

  it('never sees an order naming a sku on two lines: the schema refuses it before any router', () => {
    assert.throws(() => orderCreated(order([item('apple', 2), item('apple', 3)])), /items\.1\.sku: sku "apple" is on line 0 already/);
  });

  it('keeps held and sold stock of other orders untouched while holding more', () => {
    const state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 6, 2, 3)) };

    const stock = decide(state, orderCreated(order([item('apple', 6)]))).changes!.stock;

    assert.deepEqual(stock, [{ sku: 'apple', available: 0, held: 8, sold: 3, received: 11 }]);
    assertConserved(stock);
  });

  for (const status of ['HELD', 'RELEASING', 'REJECTED', 'COMMITTED', 'RELEASED', 'TRANSFERRED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the order already has a ${status} reservation`, () => {
      spec
        .given({
          reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 1 }], status),
          stock: stockOf(level('apple', 10)),
        })
        .when(orderCreated(order([item('apple', 1)])))
        .thenNothing();
    });
  }

  it('holds nothing when the order was cancelled before the try (tombstone barrier)', () => {
    // given the cancel came first and left a tombstone
    spec
      .given({ reservation: tombstone, stock: stockOf(level('apple', 10)) })
      // when the late OrderCreated is reserved
      .when(orderCreated(order([item('apple', 3)])))
      // then nothing is held and no StockReserved is emitted
      .thenNothing();
  });

  it('does not mutate the stock levels it was given', () => {
    const apple = level('apple', 10);
    const state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(apple) };

    decide(state, orderCreated(order([item('apple', 3)])));

    assert.deepEqual(apple, { sku: 'apple', available: 10, held: 0, sold: 0, received: 10 });
  });
});

// ---- OrderConfirmed: commit ---------------------------------------------------------------

describe('OrderConfirmed (commit)', () => {
  it('turns every held line into a sale when the reservation is HELD', () => {
    // given a HELD reservation of two skus
    const state: InventoryState = {
      reservation: held([
        { sku: 'apple', quantity: 3 },
        { sku: 'pear', quantity: 2 },
      ]),
      stock: stockOf(level('apple', 7, 3), level('pear', 3, 2, 1)),
    };

    // when it is committed; then held moves to sold and StockCommitted lists the lines
    const committing = spec.given(state).when(orderConfirmed());
    committing.then({
      changes: {
        reservation: {
          orderId: 'order-1',
          status: 'COMMITTED',
          lines: [
            { sku: 'apple', quantity: 3 },
            { sku: 'pear', quantity: 2 },
          ],
        },
        stock: [
          { sku: 'apple', available: 7, held: 0, sold: 3, received: 10 },
          { sku: 'pear', available: 3, held: 0, sold: 3, received: 6 },
        ],
      },
      events: [
        {
          type: 'StockCommitted',
          data: {
            orderId: 'order-1',
            items: [
              { sku: 'apple', quantity: 3 },
              { sku: 'pear', quantity: 2 },
            ],
          },
        },
      ],
    });
    assertConserved(committing.decision().changes!.stock);
  });

  for (const status of ['REJECTED', 'RELEASED', 'COMMITTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the reservation is ${status}`, () => {
      spec
        .given({
          reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
          stock: stockOf(level('apple', 7, 0, 3)),
        })
        .when(orderConfirmed())
        .thenNothing();
    });
  }

  it('then nothing happens when the order has no reservation', () => {
    spec.given({ reservation: undefined, stock: stockOf(level('apple', 7)) }).when(orderConfirmed()).thenNothing();
  });
});

// ---- the release (the ReleaseHold timer, or a cancel with no delay) ------------------------

describe('release (ReleaseHold timer, or PaymentFailed / OrderCancelled with no delay)', () => {
  it('puts every held line back to available with the reason when the reservation is HELD', () => {
    const state: InventoryState = {
      reservation: held([
        { sku: 'apple', quantity: 3 },
        { sku: 'pear', quantity: 2 },
      ]),
      stock: stockOf(level('apple', 7, 3), level('pear', 3, 2, 1)),
    };

    const releasing = spec.given(state).when(releaseDue('order-1', 'payment_failed'));
    releasing.then({
      changes: {
        reservation: {
          orderId: 'order-1',
          status: 'RELEASED',
          lines: [
            { sku: 'apple', quantity: 3 },
            { sku: 'pear', quantity: 2 },
          ],
        },
        stock: [
          { sku: 'apple', available: 10, held: 0, sold: 0, received: 10 },
          { sku: 'pear', available: 5, held: 0, sold: 1, received: 6 },
        ],
      },
      events: [
        {
          type: 'StockReleased',
          data: {
            orderId: 'order-1',
            items: [
              { sku: 'apple', quantity: 3 },
              { sku: 'pear', quantity: 2 },
            ],
            reason: 'payment_failed',
          },
        },
      ],
    });
    assertConserved(releasing.decision().changes!.stock);
  });

  it('carries order_cancelled as the reason when the order was cancelled', () => {
    const state: InventoryState = {
      reservation: held([{ sku: 'apple', quantity: 1 }]),
      stock: stockOf(level('apple', 0, 1)),
    };

    const decision = decide(state, releaseDue('order-1', 'order_cancelled'));

    assert.deepEqual(decision.events, [
      { type: 'StockReleased', data: { orderId: 'order-1', items: [{ sku: 'apple', quantity: 1 }], reason: 'order_cancelled' } },
    ]);
    assert.deepEqual(decision.changes?.stock, [{ sku: 'apple', available: 1, held: 0, sold: 0, received: 1 }]);
  });

  for (const status of ['REJECTED', 'RELEASED', 'COMMITTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the reservation is ${status}`, () => {
      spec
        .given({
          reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
          stock: stockOf(level('apple', 7, 0, 3)),
        })
        .when(releaseDue('order-1', 'order_cancelled'))
        .thenNothing();
    });
  }

  for (const reason of ['payment_failed', 'order_cancelled'] as const) {
    it(`leaves a CANCELLED tombstone, with no event and no stock change, when ${reason} arrives before any reservation`, () => {
      // given the order has no reservation yet
      spec
        .given({ reservation: undefined, stock: stockOf(level('apple', 7)) })
        // when the cancel arrives first
        .when(cancelWith(reason))
        // then a tombstone for that order is recorded and nothing else
        .then({ changes: { reservation: tombstone, stock: [] } });
    });
  }

  it('names the tombstone after the orderId it was given', () => {
    spec
      .given({ reservation: undefined, stock: stockOf() })
      .when(orderCancelled('order-42'))
      .then({ changes: { reservation: { orderId: 'order-42', status: 'CANCELLED', lines: [] }, stock: [] } });
  });
});

// ---- a whole reservation life ----------------------------------------------------------

describe('reserve then commit or release', () => {
  it('conserves available + held + sold == received at every step of reserve then commit', () => {
    let state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 10), level('pear', 4)) };

    state = apply(state, decide(state, orderCreated(order([item('apple', 3), item('pear', 4)]))));
    assertConserved([...state.stock.values()]);
    state = apply(state, decide(state, orderConfirmed()));
    assertConserved([...state.stock.values()]);

    assert.deepEqual([...state.stock.values()], [
      { sku: 'apple', available: 7, held: 0, sold: 3, received: 10 },
      { sku: 'pear', available: 0, held: 0, sold: 4, received: 4 },
    ]);
    // a late release after the commit moves nothing
    spec.given(state).when(releaseDue('order-1', 'order_cancelled')).thenNothing();
  });

  it('returns stock to where it started after reserve then release, and a late commit moves nothing', () => {
    let state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 10, 1, 2)) };

    state = apply(state, decide(state, orderCreated(order([item('apple', 5)]))));
    state = apply(state, decide(state, paymentFailed()));

    assert.deepEqual([...state.stock.values()], [{ sku: 'apple', available: 10, held: 1, sold: 2, received: 13 }]);
    spec.given(state).when(orderConfirmed()).thenNothing();
  });

  it('holds nothing and keeps the stock when the cancel arrives before the order (barrier)', () => {
    let state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10)) };

    state = apply(state, decide(state, orderCancelled()));

    assert.deepEqual(state.reservation, tombstone);
    spec.given(state).when(orderCreated(order([item('apple', 5)]))).thenNothing();
    assert.deepEqual([...state.stock.values()], [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }]);
  });
});

// ---- PaymentRefunded: restock ---------------------------------------------------------------

describe('PaymentRefunded of a refund (restock)', () => {
  it('moves every sold line of a COMMITTED reservation back to available and emits StockRestocked', () => {
    // given a COMMITTED reservation of two skus, next to other orders' holds and sales
    const state: InventoryState = {
      reservation: held(
        [
          { sku: 'apple', quantity: 3 },
          { sku: 'pear', quantity: 2 },
        ],
        'COMMITTED',
      ),
      stock: stockOf(level('apple', 7, 1, 3), level('pear', 0, 2, 4)),
    };

    // when the refunded order is restocked; then sold moves to available line by line, held
    // stays, and StockRestocked lists the lines
    const restocking = spec.given(state).when(refunded());
    restocking.then({
      changes: {
        reservation: {
          orderId: 'order-1',
          status: 'RESTOCKED',
          lines: [
            { sku: 'apple', quantity: 3 },
            { sku: 'pear', quantity: 2 },
          ],
        },
        stock: [
          { sku: 'apple', available: 10, held: 1, sold: 0, received: 11 },
          { sku: 'pear', available: 2, held: 2, sold: 2, received: 6 },
        ],
      },
      events: [
        {
          type: 'StockRestocked',
          data: {
            orderId: 'order-1',
            items: [
              { sku: 'apple', quantity: 3 },
              { sku: 'pear', quantity: 2 },
            ],
          },
        },
      ],
    });
    assertConserved(restocking.decision().changes!.stock);
  });

  it('commits and restocks at once a reservation still HELD (its OrderConfirmed not handled yet), and the late OrderConfirmed does nothing', () => {
    // given a HELD reservation: inventory's OrderConfirmed consumer is behind its PaymentRefunded one
    const state: InventoryState = { reservation: held([{ sku: 'apple', quantity: 3 }], 'HELD'), stock: stockOf(level('apple', 7, 3, 0)) };

    // when the refund's PaymentRefunded arrives first; then the hold is sold and restocked in one step
    const restocking = spec.given(state).when(refunded());
    restocking.then({
      changes: {
        reservation: { orderId: 'order-1', status: 'RESTOCKED', lines: [{ sku: 'apple', quantity: 3 }] },
        stock: [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }],
      },
      events: [
        { type: 'StockCommitted', data: { orderId: 'order-1', items: [{ sku: 'apple', quantity: 3 }] } },
        { type: 'StockRestocked', data: { orderId: 'order-1', items: [{ sku: 'apple', quantity: 3 }] } },
      ],
    });
    assertConserved(restocking.decision().changes!.stock);
    // and the OrderConfirmed that arrives after it changes nothing
    spec.given(apply(state, restocking.decision())).when(orderConfirmed()).thenNothing();
  });

  for (const status of ['RELEASED', 'REJECTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the reservation is ${status}`, () => {
      spec
        .given({
          reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
          stock: stockOf(level('apple', 7, 3, 3)),
        })
        .when(refunded())
        .thenNothing();
    });
  }

  it('then nothing happens, and no tombstone is left, when the order has no reservation', () => {
    spec.given({ reservation: undefined, stock: stockOf(level('apple', 7, 0, 3)) }).when(refunded()).thenNothing();
  });

  it('does not mutate the stock levels it was given', () => {
    const apple = level('apple', 7, 0, 3);
    const state: InventoryState = { reservation: held([{ sku: 'apple', quantity: 3 }], 'COMMITTED'), stock: stockOf(apple) };

    decide(state, refunded());

    assert.deepEqual(apple, { sku: 'apple', available: 7, held: 0, sold: 3, received: 10 });
  });
});

describe('reserve, commit, restock', () => {
  it('keeps available + held + sold == received at every step and ends where it started', () => {
    // given stock with other orders' holds and sales
    const start = stockOf(level('apple', 10, 2, 1), level('pear', 4, 0, 5));
    let state: InventoryState = { reservation: undefined, prices: catalog, stock: start };

    // when an order of both skus is reserved, committed, then restocked after a refund
    const steps: InventoryInput[] = [orderCreated(order([item('apple', 3), item('pear', 4)])), orderConfirmed(), refunded()];
    const events: NonNullable<InventoryDecision['events']> = [];
    for (const input of steps) {
      const d = decide(state, input);
      state = apply(state, d);
      events.push(...(d.events ?? []));
      assertConserved([...state.stock.values()]);
    }

    // then every bucket is back where it started, and the reservation is RESTOCKED
    assert.deepEqual(state.stock, start);
    assert.deepEqual(state.reservation, {
      orderId: 'order-1',
      customerId: 'cust-1',
      status: 'RESTOCKED',
      lines: [
        { sku: 'apple', quantity: 3 },
        { sku: 'pear', quantity: 4 },
      ],
    });
    assert.deepEqual(events.map((e) => e.type), ['StockReserved', 'StockCommitted', 'StockRestocked']);

    // and a redelivered refund, a late commit or a late release moves nothing
    spec.given(state).when(refunded()).thenNothing();
    spec.given(state).when(orderConfirmed()).thenNothing();
    spec.given(state).when(releaseDue('order-1', 'order_cancelled')).thenNothing();
  });

  it('then nothing is restocked for a hold that was released (a cancelled order refunded by payment)', () => {
    let state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 10)) };

    state = apply(state, decide(state, orderCreated(order([item('apple', 4)]))));
    state = apply(state, decide(state, orderCancelled()));

    // whether payment refunds it as a cancelled order's charge or as a refund
    spec.given(state).when(refunded('order_cancelled')).thenNothing();
    spec.given(state).when(refunded('refund_requested')).thenNothing();
    assert.deepEqual([...state.stock.values()], [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }]);
  });
});

// ---- a cancellation with a release delay ---------------------------------------------------

describe('PaymentFailed / OrderCancelled with a release delay', () => {
  const heldApple: InventoryState = {
    reservation: held([{ sku: 'apple', quantity: 3 }]),
    stock: stockOf(level('apple', 7, 3)),
  };

  it('keeps a HELD reservation for its customer (RELEASING) and asks for its release delayMs later when there is a delay', () => {
    // given a HELD reservation; when it is cancelled with a 5s release delay
    spec
      .given(heldApple)
      .when(orderCancelled(), { settings: { releaseDelayMs: 5_000 } })
      // then no stock moves yet, the hold is kept, and the release is due 5s later
      .then({
        changes: { reservation: held([{ sku: 'apple', quantity: 3 }], 'RELEASING'), stock: [] },
        arm: [{ kind: RELEASE_HOLD, key: 'order-1', dueAt: new Date('2024-05-01T12:00:05.000Z'), payload: { reason: 'order_cancelled' } }],
      });
  });

  it('then nothing happens, and no second timer is set, when a kept hold is cancelled again', () => {
    const kept: InventoryState = { ...heldApple, reservation: held([{ sku: 'apple', quantity: 3 }], 'RELEASING') };

    spec.given(kept).when(paymentFailed(), { settings: { releaseDelayMs: 5_000 } }).thenNothing();
    spec.given(kept).when(paymentFailed(), { settings: { releaseDelayMs: 0 } }).thenNothing();
  });

  it('releases a HELD reservation at once when the delay is 0', () => {
    spec
      .given(heldApple)
      .when(paymentFailed(), { settings: { releaseDelayMs: 0 } })
      .then({
        changes: {
          reservation: { orderId: 'order-1', status: 'RELEASED', lines: [{ sku: 'apple', quantity: 3 }] },
          stock: [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }],
        },
        events: [{ type: 'StockReleased', data: { orderId: 'order-1', items: [{ sku: 'apple', quantity: 3 }], reason: 'payment_failed' } }],
      });
  });

  it('leaves a tombstone at once, with no timer, when there is no reservation even with a delay', () => {
    spec
      .given({ reservation: undefined, stock: stockOf(level('apple', 7)) })
      .when(orderCancelled(), { settings: { releaseDelayMs: 5_000 } })
      .then({ changes: { reservation: tombstone, stock: [] } });
  });

  for (const status of ['REJECTED', 'RELEASED', 'TRANSFERRED', 'COMMITTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens, and no timer is set, when the reservation is ${status} even with a delay`, () => {
      spec
        .given({
          reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
          stock: stockOf(level('apple', 7, 0, 3)),
        })
        .when(orderCancelled(), { settings: { releaseDelayMs: 5_000 } })
        .thenNothing();
    });
  }

  it('puts the hold back when the delayed release fires on the kept reservation', () => {
    // given the cancellation kept the hold and armed a timer
    const delayed = decide(heldApple, orderCancelled(), 5_000);
    const kept: InventoryState = { ...heldApple, reservation: delayed.changes?.reservation };
    const [timer] = delayed.arm ?? [];
    assert.equal(timer?.kind, RELEASE_HOLD);

    // when that timer fires
    const released = decide(kept, timerDue(RELEASE_HOLD, timer!.key, timer!.payload));

    // then the hold goes back to available
    assert.equal(released.changes?.reservation?.status, 'RELEASED');
    assert.deepEqual(released.changes?.stock, [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }]);
    assertConserved(released.changes!.stock);
  });
});

// ---- re-order against a kept hold (delayed release) -----------------------------------

describe('OrderCreated with the customer\'s kept holds', () => {
  /** A cancelled order's hold, kept for its customer until its delayed release. */
  function kept(orderId: string, lines: Reservation['lines']): Reservation {
    return { orderId, customerId: 'cust-1', status: 'RELEASING', lines };
  }

  it('takes the whole re-order out of a kept hold, moving no available stock, and ends that hold', () => {
    const placed = order([item('apple', 3)]);

    // given 3 apples kept for the customer's cancelled order and 2 more available
    spec
      .given({ reservation: undefined, prices: catalog, stock: stockOf(level('apple', 2, 3)), keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 3 }])] })
      // when the customer re-orders the same 3 apples
      .when(orderCreated(placed))
      // then the new order holds them, the kept hold is TRANSFERRED, and stock levels stay as they were
      .then({
        changes: {
          reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'HELD', lines: [{ sku: 'apple', quantity: 3 }] },
          keptHolds: [kept('old-1', [])].map((h) => ({ ...h, status: 'TRANSFERRED' as const })),
          transfers: [{ fromOrderId: 'old-1', toOrderId: 'order-1', sku: 'apple', quantity: 3 }],
          stock: [],
        },
        events: [
          { type: 'StockReserved', data: placed },
          { type: 'StockHoldTransferred', sagaId: 'old-1', data: { orderId: 'old-1', toOrderId: 'order-1', items: [{ sku: 'apple', quantity: 3 }], remaining: [] } },
        ],
      });
  });

  it('takes part of a kept hold and leaves the rest RELEASING for its timer', () => {
    // given 3 apples and 2 pears kept
    const state: InventoryState = {
      reservation: undefined, prices: catalog,
      stock: stockOf(level('apple', 0, 3), level('pear', 0, 2)),
      keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 3 }, { sku: 'pear', quantity: 2 }])],
    };

    // when the re-order wants 1 apple only
    const decision = decide(state, orderCreated(order([item('apple', 1)])));

    // then 1 apple moves to the new order; 2 apples and the pears stay kept
    assert.deepEqual(decision.changes?.keptHolds, [kept('old-1', [{ sku: 'apple', quantity: 2 }, { sku: 'pear', quantity: 2 }])]);
    assert.deepEqual(decision.events?.[1], {
      type: 'StockHoldTransferred',
      sagaId: 'old-1',
      data: { orderId: 'old-1', toOrderId: 'order-1', items: [{ sku: 'apple', quantity: 1 }], remaining: [{ sku: 'apple', quantity: 2 }, { sku: 'pear', quantity: 2 }] },
    });
    assert.deepEqual(decision.changes?.stock, []);
  });

  it('takes from kept holds oldest first, then from available stock', () => {
    // given two kept holds of 1 apple each and 5 available
    const state: InventoryState = {
      reservation: undefined, prices: catalog,
      stock: stockOf(level('apple', 5, 2)),
      keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 1 }]), kept('old-2', [{ sku: 'apple', quantity: 1 }])],
    };

    // when the re-order wants 4 apples
    const decision = decide(state, orderCreated(order([item('apple', 4)])));

    // then both holds go to it and only 2 come out of available
    assert.deepEqual(decision.changes?.transfers, [
      { fromOrderId: 'old-1', toOrderId: 'order-1', sku: 'apple', quantity: 1 },
      { fromOrderId: 'old-2', toOrderId: 'order-1', sku: 'apple', quantity: 1 },
    ]);
    assert.deepEqual(decision.changes?.keptHolds?.map((h) => h.status), ['TRANSFERRED', 'TRANSFERRED']);
    assert.deepEqual(decision.changes?.stock, [{ sku: 'apple', available: 3, held: 4, sold: 0, received: 7 }]);
    assertConserved(decision.changes!.stock);
  });

  it('leaves a kept hold alone when the re-order names none of its skus', () => {
    const state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('pear', 5), level('apple', 0, 3)), keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 3 }])] };

    const decision = decide(state, orderCreated(order([item('pear', 2)])));

    assert.equal(decision.changes?.keptHolds, undefined);
    assert.deepEqual(decision.events?.map((e) => e.type), ['StockReserved']);
    assert.deepEqual(decision.changes?.stock, [{ sku: 'pear', available: 3, held: 2, sold: 0, received: 5 }]);
  });

  it('counts kept stock as available to its customer, and touches nothing when the re-order is still short', () => {
    // given 2 kept and 1 available
    const state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 1, 2)), keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 2 }])] };

    // when the re-order wants 4
    const decision = decide(state, orderCreated(order([item('apple', 4)])));

    // then it is refused with 3 reported available to this customer, and the hold stays kept
    assert.deepEqual(decision.events, [
      { type: 'StockReservationFailed', data: { orderId: 'order-1', reason: 'out_of_stock', shortages: [{ sku: 'apple', requested: 4, available: 3 }] } },
    ]);
    assert.equal(decision.changes?.keptHolds, undefined);
    assert.deepEqual(decision.changes?.stock, []);
  });

  it('releases only what the re-order left when the kept hold\'s timer fires, and nothing after a full transfer', () => {
    function applyTo(state: InventoryState, d: InventoryDecision, hold: Reservation): [InventoryState, Reservation] {
      const stock = new Map(state.stock);
      for (const l of d.changes?.stock ?? []) stock.set(l.sku, l);
      const c = d.changes;
      return [{ ...state, stock }, c?.keptHolds?.find((h) => h.orderId === hold.orderId) ?? (c?.reservation?.orderId === hold.orderId ? c.reservation : hold)];
    }
    // given 3 kept apples, 1 of which a re-order takes
    let hold = kept('old-1', [{ sku: 'apple', quantity: 3 }]);
    let state: InventoryState = { reservation: undefined, prices: catalog, stock: stockOf(level('apple', 0, 3)), keptHolds: [hold] };
    [state, hold] = applyTo(state, decide(state, orderCreated(order([item('apple', 1)]))), hold);

    // when the release timer fires
    const released = decide({ reservation: hold, stock: state.stock }, releaseDue('old-1', 'order_cancelled'));

    // then only the 2 left go back to available; the re-order's apple stays held
    assert.deepEqual(released.events, [{ type: 'StockReleased', data: { orderId: 'old-1', items: [{ sku: 'apple', quantity: 2 }], reason: 'order_cancelled' } }]);
    assert.deepEqual(released.changes?.stock, [{ sku: 'apple', available: 2, held: 1, sold: 0, received: 3 }]);

    // and a hold that went entirely to re-orders releases nothing
    const transferred: Reservation = { ...hold, status: 'TRANSFERRED', lines: [] };
    spec.given({ reservation: transferred, stock: state.stock }).when(releaseDue('old-1', 'order_cancelled')).thenNothing();
  });
});

// ---- SetStock ------------------------------------------------------------------------

describe('SetStock', () => {
  /** The one level a SetStock decides. */
  function setTo(before: StockLevel | undefined, quantity: number): StockLevel {
    const stock = decide({ reservation: undefined, stock: before ? stockOf(before) : stockOf() }, setStock(before?.sku ?? 'apple', quantity)).changes?.stock;
    assert.ok(stock?.length === 1, 'a SetStock decides one level');
    return stock[0]!;
  }

  it('creates a level with the quantity available and received when the sku is new', () => {
    spec
      .given({ reservation: undefined, stock: stockOf() })
      .when(setStock('apple', 10))
      .then({ changes: { stock: [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }] } });
  });

  it('raises received by the increase in available, leaving held and sold alone', () => {
    spec
      .given({ reservation: undefined, stock: stockOf(level('apple', 4, 3, 5)) })
      .when(setStock('apple', 10))
      .then({ changes: { stock: [{ sku: 'apple', available: 10, held: 3, sold: 5, received: 18 }] } });
    assertConserved([setTo(level('apple', 4, 3, 5), 10)]);
  });

  it('lowers received by the decrease in available, leaving held and sold alone', () => {
    spec
      .given({ reservation: undefined, stock: stockOf(level('apple', 8, 2, 1)) })
      .when(setStock('apple', 3))
      .then({ changes: { stock: [{ sku: 'apple', available: 3, held: 2, sold: 1, received: 6 }] } });
    assertConserved([setTo(level('apple', 8, 2, 1), 3)]);
  });

  it('sets available to zero without touching held stock', () => {
    spec
      .given({ reservation: undefined, stock: stockOf(level('apple', 5, 2)) })
      .when(setStock('apple', 0))
      .then({ changes: { stock: [{ sku: 'apple', available: 0, held: 2, sold: 0, received: 2 }] } });
  });

  it('changes nothing when the quantity equals what is available', () => {
    const before = level('apple', 5, 1, 1);

    assert.deepEqual(setTo(before, 5), before);
  });

  it('treats a missing level like an empty one', () => {
    assert.deepEqual(emptyLevel('apple'), { sku: 'apple', available: 0, held: 0, sold: 0, received: 0 });
    assert.deepEqual(setTo(undefined, 0), emptyLevel('apple'));
  });
});

// ---- prices: inventory owns them ----------------------------------------------------------

describe('SetPrice', () => {
  it('records the price of the sku, moving no stock', () => {
    spec
      .given({ reservation: undefined, stock: stockOf() })
      .when(setPrice('apple', 150))
      .then({ changes: { stock: [], prices: [{ sku: 'apple', unitPrice: 150 }] } });
  });

  it('records a price of 0 (free) as a price: the sku is for sale', () => {
    spec
      .given({ reservation: undefined, stock: stockOf() })
      .when(setPrice('gift', 0))
      .then({ changes: { stock: [], prices: [{ sku: 'gift', unitPrice: 0 }] } });
  });
});

describe('OrderCreated against the price list', () => {
  const stock = stockOf(level('apple', 10), level('pear', 10));
  const notPriced = (...skus: string[]) => ({ changes: { reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED' as const, lines: [] }, stock: [] } ,
    events: [{ type: 'StockReservationFailed' as const, data: { orderId: 'order-1', reason: 'not_for_sale' as const, notForSale: skus } }] });

  it('holds nothing when a sku has no price, and names it: not_for_sale', () => {
    // given apple is priced and in stock, pear is in stock but has no price
    spec
      .given({ reservation: undefined, prices: pricesOf({ apple: 100 }), stock })
      // when an order names both
      .when(orderCreated(order([item('apple', 1), item('pear', 1)])))
      // then nothing is held, the reservation is REJECTED and the refusal names pear
      .then(notPriced('pear'));
  });

  it('treats a missing price list as no prices at all', () => {
    spec
      .given({ reservation: undefined, stock })
      .when(orderCreated(order([item('apple', 1)])))
      .then(notPriced('apple'));
  });

  it('holds nothing when a unitPrice is not the current price, listing each such line with the current price: price_mismatch', () => {
    // given apple at 150 and pear at 80; when the order says apple 100 (and pear right)
    spec
      .given({ reservation: undefined, prices: pricesOf({ apple: 150, pear: 80 }), stock })
      .when(orderCreated(order([item('apple', 2, 100), item('pear', 1, 80)])))
      // then nothing is held and only apple is listed, with what the order said and the price now
      .then({
        changes: { reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] }, stock: [] },
        events: [
          {
            type: 'StockReservationFailed',
            data: { orderId: 'order-1', reason: 'price_mismatch', prices: [{ sku: 'apple', unitPrice: 100, currentPrice: 150 }] },
          },
        ],
      });
  });

  it('refuses a free item the seller did not make free (the client cannot set a price of 0)', () => {
    const decision = decide({ reservation: undefined, prices: pricesOf({ apple: 150 }), stock }, orderCreated(order([item('apple', 5, 0)])));

    assert.deepEqual(decision.events?.[0]?.data, { orderId: 'order-1', reason: 'price_mismatch', prices: [{ sku: 'apple', unitPrice: 0, currentPrice: 150 }] });
    assert.deepEqual(decision.changes?.stock, []);
  });

  it('refuses a price above the current one too: the customer agreed to what the catalog says, no more', () => {
    const decision = decide({ reservation: undefined, prices: pricesOf({ apple: 150 }), stock }, orderCreated(order([item('apple', 1, 151)])));

    assert.equal(decision.events?.[0]?.type, 'StockReservationFailed');
    assert.deepEqual(decision.events?.[0]?.data, { orderId: 'order-1', reason: 'price_mismatch', prices: [{ sku: 'apple', unitPrice: 151, currentPrice: 150 }] });
  });

  it('reports not_for_sale before price_mismatch, and both before out_of_stock', () => {
    const prices = pricesOf({ apple: 150 });
    const short = stockOf(level('apple', 0));
    const reasonOf = (items: OrderItem[]) => {
      const [event] = decide({ reservation: undefined, prices, stock: short }, orderCreated(order(items))).events ?? [];
      return event?.type === 'StockReservationFailed' ? event.data.reason : event?.type;
    };

    // a sku without price and a wrong price: not_for_sale
    assert.equal(reasonOf([item('apple', 1, 1), item('pear', 1)]), 'not_for_sale');
    // a wrong price on a sku out of stock: price_mismatch
    assert.equal(reasonOf([item('apple', 1, 1)]), 'price_mismatch');
    // the right price on a sku out of stock: out_of_stock
    assert.equal(reasonOf([item('apple', 1, 150)]), 'out_of_stock');
  });

  it("emits StockReserved with the items at inventory's prices and the total inventory computed (what payment charges)", () => {
    const placed = order([item('apple', 2, 150), item('pear', 3, 80)]);

    const decision = decide({ reservation: undefined, prices: pricesOf({ apple: 150, pear: 80 }), stock }, orderCreated(placed));

    assert.deepEqual(decision.events, [
      { type: 'StockReserved', data: { orderId: 'order-1', customerId: 'cust-1', items: [item('apple', 2, 150), item('pear', 3, 80)], total: 540 } },
    ]);
  });

  it("takes nothing from the customer's kept holds when the order is refused for its prices", () => {
    const keptHolds: Reservation[] = [{ orderId: 'old-1', customerId: 'cust-1', status: 'RELEASING', lines: [{ sku: 'apple', quantity: 3 }] }];

    const decision = decide({ reservation: undefined, prices: pricesOf({ apple: 150 }), stock: stockOf(level('apple', 0, 3)), keptHolds }, orderCreated(order([item('apple', 3, 99)])));

    assert.equal(decision.changes?.keptHolds, undefined);
    assert.equal(decision.changes?.transfers, undefined);
    assert.deepEqual(decision.events?.map((e) => e.type), ['StockReservationFailed']);
  });

  it('then nothing happens on a redelivery, or on a late cancellation, of an order refused for its prices', () => {
    const refused = decide({ reservation: undefined, prices: pricesOf({ apple: 150 }), stock }, orderCreated(order([item('apple', 1, 99)])));
    const state = apply({ reservation: undefined, prices: pricesOf({ apple: 150 }), stock }, refused);

    spec.given(state).when(orderCreated(order([item('apple', 1, 99)]))).thenNothing();
    spec.given(state).when(orderCancelled()).thenNothing();
  });

  it('holds nothing when the order was cancelled first, whatever its prices (tombstone before the price check)', () => {
    spec.given({ reservation: tombstone, prices: pricesOf({}), stock }).when(orderCreated(order([item('apple', 1)]))).thenNothing();
  });

  it('holds the order once its sku is priced: SetPrice then OrderCreated', () => {
    const priced = decide({ reservation: undefined, stock }, setPrice('apple', 120)).changes?.prices ?? [];

    const decision = decide({ reservation: undefined, prices: new Map(priced.map((p) => [p.sku, p.unitPrice])), stock }, orderCreated(order([item('apple', 2, 120)])));

    assert.equal(decision.changes?.reservation?.status, 'HELD');
    assert.deepEqual(decision.events?.[0], { type: 'StockReserved', data: { orderId: 'order-1', customerId: 'cust-1', items: [item('apple', 2, 120)], total: 240 } });
  });
});
