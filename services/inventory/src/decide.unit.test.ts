import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderItem } from '@jetsaga/events';
import {
  decideCancellation,
  decideCommit,
  decideRelease,
  decideReserve,
  decideRestock,
  decideSetStock,
  emptyLevel,
  linesOf,
  type InventoryDecision,
  type InventoryState,
  type Reservation,
  type StockLevel,
} from './decide.js';

// ---- given helpers ------------------------------------------------------------------

/** A stock level whose buckets add up: received = available + held + sold. */
function level(sku: string, available: number, held = 0, sold = 0): StockLevel {
  return { sku, available, held, sold, received: available + held + sold };
}

function stockOf(...levels: StockLevel[]): ReadonlyMap<string, StockLevel> {
  return new Map(levels.map((l) => [l.sku, l]));
}

function item(sku: string, quantity: number, unitPrice = 100): OrderItem {
  return { sku, quantity, unitPrice };
}

function order(items: OrderItem[]) {
  return { orderId: 'order-1', customerId: 'cust-1', items, total: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) };
}

function held(lines: Reservation['lines'], status: Reservation['status'] = 'HELD'): Reservation {
  return { orderId: 'order-1', status, lines };
}

const nothingHappens: InventoryDecision = { stock: [], events: [] };

const tombstone: Reservation = { orderId: 'order-1', status: 'CANCELLED', lines: [] };

const now = new Date('2024-05-01T12:00:00.000Z');

function assertConserved(levels: StockLevel[]): void {
  for (const l of levels) {
    assert.equal(l.available + l.held + l.sold, l.received, `buckets of ${l.sku} must add up to received`);
    assert.ok(l.available >= 0 && l.held >= 0 && l.sold >= 0, `no bucket of ${l.sku} goes negative`);
  }
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

// ---- decideReserve -------------------------------------------------------------------

describe('decideReserve', () => {
  it('holds every line of the order when all skus have enough stock', () => {
    // given two skus in stock
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10), level('pear', 5)) };
    const placed = order([item('apple', 3, 50), item('pear', 2, 80)]);

    // when the order is reserved
    const decision = decideReserve(state, placed);

    // then each line moves from available to held, and StockReserved carries the order
    assert.deepEqual(decision, {
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
    assertConserved(decision.stock);
  });

  it('holds the order when a sku has exactly the requested quantity available', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 4)) };

    const decision = decideReserve(state, order([item('apple', 4)]));

    assert.equal(decision.reservation?.status, 'HELD');
    assert.deepEqual(decision.stock, [{ sku: 'apple', available: 0, held: 4, sold: 0, received: 4 }]);
    assert.deepEqual(decision.events.map((e) => e.type), ['StockReserved']);
  });

  it('holds nothing when one sku of several is short, and lists that shortage', () => {
    // given apple is plentiful but pear is short
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10), level('pear', 1)) };

    // when an order asks for both
    const decision = decideReserve(state, order([item('apple', 3), item('pear', 2)]));

    // then nothing is held (not even apple), the reservation is REJECTED
    assert.deepEqual(decision, {
      reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] },
      stock: [],
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
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 1), level('pear', 9)) };

    const decision = decideReserve(state, order([item('apple', 2), item('pear', 1), item('plum', 1)]));

    assert.deepEqual(decision, {
      reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] },
      stock: [],
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

  it('sums duplicate sku lines and holds the total once', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10)) };
    const placed = order([item('apple', 2), item('apple', 3)]);

    const decision = decideReserve(state, placed);

    assert.deepEqual(decision, {
      reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'HELD', lines: [{ sku: 'apple', quantity: 5 }] },
      stock: [{ sku: 'apple', available: 5, held: 5, sold: 0, received: 10 }],
      events: [{ type: 'StockReserved', data: placed }],
    });
  });

  it('refuses duplicate sku lines whose sum exceeds stock even though each line alone fits', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 4)) };

    const decision = decideReserve(state, order([item('apple', 3), item('apple', 3)]));

    assert.deepEqual(decision, {
      reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] },
      stock: [],
      events: [
        {
          type: 'StockReservationFailed',
          data: { orderId: 'order-1', reason: 'out_of_stock', shortages: [{ sku: 'apple', requested: 6, available: 4 }] },
        },
      ],
    });
  });

  it('keeps held and sold stock of other orders untouched while holding more', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 6, 2, 3)) };

    const decision = decideReserve(state, order([item('apple', 6)]));

    assert.deepEqual(decision.stock, [{ sku: 'apple', available: 0, held: 8, sold: 3, received: 11 }]);
    assertConserved(decision.stock);
  });

  for (const status of ['HELD', 'RELEASING', 'REJECTED', 'COMMITTED', 'RELEASED', 'TRANSFERRED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the order already has a ${status} reservation`, () => {
      const state: InventoryState = {
        reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 1 }], status),
        stock: stockOf(level('apple', 10)),
      };

      const decision = decideReserve(state, order([item('apple', 1)]));

      assert.deepEqual(decision, nothingHappens);
    });
  }

  it('holds nothing when the order was cancelled before the try (tombstone barrier)', () => {
    // given the cancel came first and left a tombstone
    const state: InventoryState = { reservation: tombstone, stock: stockOf(level('apple', 10)) };

    // when the late OrderCreated is reserved
    const decision = decideReserve(state, order([item('apple', 3)]));

    // then nothing is held and no StockReserved is emitted
    assert.deepEqual(decision, nothingHappens);
  });

  it('does not mutate the stock levels it was given', () => {
    const apple = level('apple', 10);
    const state: InventoryState = { reservation: undefined, stock: stockOf(apple) };

    decideReserve(state, order([item('apple', 3)]));

    assert.deepEqual(apple, { sku: 'apple', available: 10, held: 0, sold: 0, received: 10 });
  });
});

// ---- decideCommit --------------------------------------------------------------------

describe('decideCommit', () => {
  it('turns every held line into a sale when the reservation is HELD', () => {
    // given a HELD reservation of two skus
    const state: InventoryState = {
      reservation: held([
        { sku: 'apple', quantity: 3 },
        { sku: 'pear', quantity: 2 },
      ]),
      stock: stockOf(level('apple', 7, 3), level('pear', 3, 2, 1)),
    };

    // when it is committed
    const decision = decideCommit(state);

    // then held moves to sold and StockCommitted lists the lines
    assert.deepEqual(decision, {
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
    assertConserved(decision.stock);
  });

  for (const status of ['REJECTED', 'RELEASED', 'COMMITTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the reservation is ${status}`, () => {
      const state: InventoryState = {
        reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
        stock: stockOf(level('apple', 7, 0, 3)),
      };

      assert.deepEqual(decideCommit(state), nothingHappens);
    });
  }

  it('then nothing happens when the order has no reservation', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 7)) };

    assert.deepEqual(decideCommit(state), nothingHappens);
  });
});

// ---- decideRelease -------------------------------------------------------------------

describe('decideRelease', () => {
  it('puts every held line back to available with the reason when the reservation is HELD', () => {
    const state: InventoryState = {
      reservation: held([
        { sku: 'apple', quantity: 3 },
        { sku: 'pear', quantity: 2 },
      ]),
      stock: stockOf(level('apple', 7, 3), level('pear', 3, 2, 1)),
    };

    const decision = decideRelease(state, 'order-1', 'payment_failed');

    assert.deepEqual(decision, {
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
    assertConserved(decision.stock);
  });

  it('carries order_cancelled as the reason when the order was cancelled', () => {
    const state: InventoryState = {
      reservation: held([{ sku: 'apple', quantity: 1 }]),
      stock: stockOf(level('apple', 0, 1)),
    };

    const decision = decideRelease(state, 'order-1', 'order_cancelled');

    assert.deepEqual(decision.events, [
      { type: 'StockReleased', data: { orderId: 'order-1', items: [{ sku: 'apple', quantity: 1 }], reason: 'order_cancelled' } },
    ]);
    assert.deepEqual(decision.stock, [{ sku: 'apple', available: 1, held: 0, sold: 0, received: 1 }]);
  });

  for (const status of ['REJECTED', 'RELEASED', 'COMMITTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the reservation is ${status}`, () => {
      const state: InventoryState = {
        reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
        stock: stockOf(level('apple', 7, 0, 3)),
      };

      assert.deepEqual(decideRelease(state, 'order-1', 'order_cancelled'), nothingHappens);
    });
  }

  for (const reason of ['payment_failed', 'order_cancelled'] as const) {
    it(`leaves a CANCELLED tombstone, with no event and no stock change, when ${reason} arrives before any reservation`, () => {
      // given the order has no reservation yet
      const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 7)) };

      // when the cancel arrives first
      const decision = decideRelease(state, 'order-1', reason);

      // then a tombstone for that order is recorded and nothing else
      assert.deepEqual(decision, { reservation: tombstone, stock: [], events: [] });
    });
  }

  it('names the tombstone after the orderId it was given', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf() };

    assert.deepEqual(decideRelease(state, 'order-42', 'order_cancelled'), {
      reservation: { orderId: 'order-42', status: 'CANCELLED', lines: [] },
      stock: [],
      events: [],
    });
  });
});

// ---- a whole reservation life ----------------------------------------------------------

describe('reserve then commit or release', () => {
  function apply(state: InventoryState, decision: InventoryDecision): InventoryState {
    const stock = new Map(state.stock);
    for (const l of decision.stock) stock.set(l.sku, l);
    return { reservation: decision.reservation ?? state.reservation, stock };
  }

  it('conserves available + held + sold == received at every step of reserve then commit', () => {
    let state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10), level('pear', 4)) };

    state = apply(state, decideReserve(state, order([item('apple', 2), item('pear', 4), item('apple', 1)])));
    assertConserved([...state.stock.values()]);
    state = apply(state, decideCommit(state));
    assertConserved([...state.stock.values()]);

    assert.deepEqual([...state.stock.values()], [
      { sku: 'apple', available: 7, held: 0, sold: 3, received: 10 },
      { sku: 'pear', available: 0, held: 0, sold: 4, received: 4 },
    ]);
    // a late release after the commit moves nothing
    assert.deepEqual(decideRelease(state, 'order-1', 'order_cancelled'), nothingHappens);
  });

  it('returns stock to where it started after reserve then release, and a late commit moves nothing', () => {
    let state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10, 1, 2)) };

    state = apply(state, decideReserve(state, order([item('apple', 5)])));
    state = apply(state, decideRelease(state, 'order-1', 'payment_failed'));

    assert.deepEqual([...state.stock.values()], [{ sku: 'apple', available: 10, held: 1, sold: 2, received: 13 }]);
    assert.deepEqual(decideCommit(state), nothingHappens);
  });

  it('holds nothing and keeps the stock when the cancel arrives before the order (barrier)', () => {
    let state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10)) };

    state = apply(state, decideRelease(state, 'order-1', 'order_cancelled'));
    const late = decideReserve(state, order([item('apple', 5)]));

    assert.deepEqual(state.reservation, tombstone);
    assert.deepEqual(late, nothingHappens);
    assert.deepEqual([...state.stock.values()], [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }]);
  });
});

// ---- decideRestock -------------------------------------------------------------------

describe('decideRestock', () => {
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

    // when the refunded order is restocked
    const decision = decideRestock(state);

    // then sold moves to available line by line, held stays, and StockRestocked lists the lines
    assert.deepEqual(decision, {
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
    assertConserved(decision.stock);
  });

  for (const status of ['HELD', 'RELEASED', 'REJECTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens when the reservation is ${status}`, () => {
      const state: InventoryState = {
        reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
        stock: stockOf(level('apple', 7, 3, 3)),
      };

      assert.deepEqual(decideRestock(state), nothingHappens);
    });
  }

  it('then nothing happens, and no tombstone is left, when the order has no reservation', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 7, 0, 3)) };

    assert.deepEqual(decideRestock(state), nothingHappens);
  });

  it('does not mutate the stock levels it was given', () => {
    const apple = level('apple', 7, 0, 3);
    const state: InventoryState = { reservation: held([{ sku: 'apple', quantity: 3 }], 'COMMITTED'), stock: stockOf(apple) };

    decideRestock(state);

    assert.deepEqual(apple, { sku: 'apple', available: 7, held: 0, sold: 3, received: 10 });
  });
});

describe('reserve, commit, restock', () => {
  function apply(state: InventoryState, decision: InventoryDecision): InventoryState {
    const stock = new Map(state.stock);
    for (const l of decision.stock) stock.set(l.sku, l);
    return { reservation: decision.reservation ?? state.reservation, stock };
  }

  it('keeps available + held + sold == received at every step and ends where it started', () => {
    // given stock with other orders' holds and sales
    const start = stockOf(level('apple', 10, 2, 1), level('pear', 4, 0, 5));
    let state: InventoryState = { reservation: undefined, stock: start };

    // when an order of both skus is reserved, committed, then restocked after a refund
    const steps = [
      (s: InventoryState) => decideReserve(s, order([item('apple', 2), item('pear', 4), item('apple', 1)])),
      (s: InventoryState) => decideCommit(s),
      (s: InventoryState) => decideRestock(s),
    ];
    const events: InventoryDecision['events'] = [];
    for (const step of steps) {
      const d = step(state);
      state = apply(state, d);
      events.push(...d.events);
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
    assert.deepEqual(decideRestock(state), nothingHappens);
    assert.deepEqual(decideCommit(state), nothingHappens);
    assert.deepEqual(decideRelease(state, 'order-1', 'order_cancelled'), nothingHappens);
  });

  it('then nothing is restocked for a hold that was released (a cancelled order refunded by payment)', () => {
    let state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 10)) };

    state = apply(state, decideReserve(state, order([item('apple', 4)])));
    state = apply(state, decideRelease(state, 'order-1', 'order_cancelled'));

    assert.deepEqual(decideRestock(state), nothingHappens);
    assert.deepEqual([...state.stock.values()], [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }]);
  });
});

// ---- decideCancellation --------------------------------------------------------------

describe('decideCancellation', () => {
  const heldApple: InventoryState = {
    reservation: held([{ sku: 'apple', quantity: 3 }]),
    stock: stockOf(level('apple', 7, 3)),
  };

  it('keeps a HELD reservation for its customer (RELEASING) and asks for its release delayMs later when there is a delay', () => {
    // given a HELD reservation; when it is cancelled with a 5s release delay
    const decision = decideCancellation(heldApple, 'order-1', 'order_cancelled', now, 5_000);

    // then no stock moves yet, the hold is kept, and the release is due 5s later
    assert.deepEqual(decision, {
      reservation: held([{ sku: 'apple', quantity: 3 }], 'RELEASING'),
      stock: [],
      events: [],
      releaseAt: new Date('2024-05-01T12:00:05.000Z'),
    });
  });

  it('then nothing happens, and no second timer is set, when a kept hold is cancelled again', () => {
    const kept: InventoryState = { ...heldApple, reservation: held([{ sku: 'apple', quantity: 3 }], 'RELEASING') };

    assert.deepEqual(decideCancellation(kept, 'order-1', 'payment_failed', now, 5_000), nothingHappens);
    assert.deepEqual(decideCancellation(kept, 'order-1', 'payment_failed', now, 0), nothingHappens);
  });

  it('releases a HELD reservation at once when the delay is 0', () => {
    const decision = decideCancellation(heldApple, 'order-1', 'payment_failed', now, 0);

    assert.deepEqual(decision, {
      reservation: { orderId: 'order-1', status: 'RELEASED', lines: [{ sku: 'apple', quantity: 3 }] },
      stock: [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }],
      events: [{ type: 'StockReleased', data: { orderId: 'order-1', items: [{ sku: 'apple', quantity: 3 }], reason: 'payment_failed' } }],
    });
  });

  it('leaves a tombstone at once, with no timer, when there is no reservation even with a delay', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 7)) };

    const decision = decideCancellation(state, 'order-1', 'order_cancelled', now, 5_000);

    assert.deepEqual(decision, { reservation: tombstone, stock: [], events: [] });
  });

  for (const status of ['REJECTED', 'RELEASED', 'TRANSFERRED', 'COMMITTED', 'CANCELLED', 'RESTOCKED'] as const) {
    it(`then nothing happens, and no timer is set, when the reservation is ${status} even with a delay`, () => {
      const state: InventoryState = {
        reservation: held(status === 'REJECTED' || status === 'CANCELLED' ? [] : [{ sku: 'apple', quantity: 3 }], status),
        stock: stockOf(level('apple', 7, 0, 3)),
      };

      assert.deepEqual(decideCancellation(state, 'order-1', 'order_cancelled', now, 5_000), nothingHappens);
    });
  }

  it('puts the hold back when the delayed release fires on the kept reservation', () => {
    // given the cancellation kept the hold and armed a timer
    const delayed = decideCancellation(heldApple, 'order-1', 'order_cancelled', now, 5_000);
    const kept: InventoryState = { ...heldApple, reservation: delayed.reservation };

    // when the timer fires
    const released = decideRelease(kept, 'order-1', 'order_cancelled');

    // then the hold goes back to available
    assert.equal(released.reservation?.status, 'RELEASED');
    assert.deepEqual(released.stock, [{ sku: 'apple', available: 10, held: 0, sold: 0, received: 10 }]);
    assertConserved(released.stock);
  });
});

// ---- re-order against a kept hold (delayed release) -----------------------------------

describe('decideReserve with the customer\'s kept holds', () => {
  /** A cancelled order's hold, kept for its customer until its delayed release. */
  function kept(orderId: string, lines: Reservation['lines']): Reservation {
    return { orderId, customerId: 'cust-1', status: 'RELEASING', lines };
  }

  it('takes the whole re-order out of a kept hold, moving no available stock, and ends that hold', () => {
    // given 3 apples kept for the customer's cancelled order and 2 more available
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 2, 3)), keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 3 }])] };
    const placed = order([item('apple', 3)]);

    // when the customer re-orders the same 3 apples
    const decision = decideReserve(state, placed);

    // then the new order holds them, the kept hold is TRANSFERRED, and stock levels stay as they were
    assert.deepEqual(decision, {
      reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'HELD', lines: [{ sku: 'apple', quantity: 3 }] },
      keptHolds: [kept('old-1', [])].map((h) => ({ ...h, status: 'TRANSFERRED' as const })),
      transfers: [{ fromOrderId: 'old-1', toOrderId: 'order-1', sku: 'apple', quantity: 3 }],
      stock: [],
      events: [
        { type: 'StockReserved', data: placed },
        { type: 'StockHoldTransferred', sagaId: 'old-1', data: { orderId: 'old-1', toOrderId: 'order-1', items: [{ sku: 'apple', quantity: 3 }], remaining: [] } },
      ],
    });
  });

  it('takes part of a kept hold and leaves the rest RELEASING for its timer', () => {
    // given 3 apples and 2 pears kept
    const state: InventoryState = {
      reservation: undefined,
      stock: stockOf(level('apple', 0, 3), level('pear', 0, 2)),
      keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 3 }, { sku: 'pear', quantity: 2 }])],
    };

    // when the re-order wants 1 apple only
    const decision = decideReserve(state, order([item('apple', 1)]));

    // then 1 apple moves to the new order; 2 apples and the pears stay kept
    assert.deepEqual(decision.keptHolds, [kept('old-1', [{ sku: 'apple', quantity: 2 }, { sku: 'pear', quantity: 2 }])]);
    assert.deepEqual(decision.events[1], {
      type: 'StockHoldTransferred',
      sagaId: 'old-1',
      data: { orderId: 'old-1', toOrderId: 'order-1', items: [{ sku: 'apple', quantity: 1 }], remaining: [{ sku: 'apple', quantity: 2 }, { sku: 'pear', quantity: 2 }] },
    });
    assert.deepEqual(decision.stock, []);
  });

  it('takes from kept holds oldest first, then from available stock', () => {
    // given two kept holds of 1 apple each and 5 available
    const state: InventoryState = {
      reservation: undefined,
      stock: stockOf(level('apple', 5, 2)),
      keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 1 }]), kept('old-2', [{ sku: 'apple', quantity: 1 }])],
    };

    // when the re-order wants 4 apples
    const decision = decideReserve(state, order([item('apple', 4)]));

    // then both holds go to it and only 2 come out of available
    assert.deepEqual(decision.transfers, [
      { fromOrderId: 'old-1', toOrderId: 'order-1', sku: 'apple', quantity: 1 },
      { fromOrderId: 'old-2', toOrderId: 'order-1', sku: 'apple', quantity: 1 },
    ]);
    assert.deepEqual(decision.keptHolds?.map((h) => h.status), ['TRANSFERRED', 'TRANSFERRED']);
    assert.deepEqual(decision.stock, [{ sku: 'apple', available: 3, held: 4, sold: 0, received: 7 }]);
    assertConserved(decision.stock);
  });

  it('leaves a kept hold alone when the re-order names none of its skus', () => {
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('pear', 5), level('apple', 0, 3)), keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 3 }])] };

    const decision = decideReserve(state, order([item('pear', 2)]));

    assert.equal(decision.keptHolds, undefined);
    assert.deepEqual(decision.events.map((e) => e.type), ['StockReserved']);
    assert.deepEqual(decision.stock, [{ sku: 'pear', available: 3, held: 2, sold: 0, received: 5 }]);
  });

  it('counts kept stock as available to its customer, and touches nothing when the re-order is still short', () => {
    // given 2 kept and 1 available
    const state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 1, 2)), keptHolds: [kept('old-1', [{ sku: 'apple', quantity: 2 }])] };

    // when the re-order wants 4
    const decision = decideReserve(state, order([item('apple', 4)]));

    // then it is refused with 3 reported available to this customer, and the hold stays kept
    assert.deepEqual(decision.events, [
      { type: 'StockReservationFailed', data: { orderId: 'order-1', reason: 'out_of_stock', shortages: [{ sku: 'apple', requested: 4, available: 3 }] } },
    ]);
    assert.equal(decision.keptHolds, undefined);
    assert.deepEqual(decision.stock, []);
  });

  it('releases only what the re-order left when the kept hold\'s timer fires, and nothing after a full transfer', () => {
    function apply(state: InventoryState, d: InventoryDecision, hold: Reservation): [InventoryState, Reservation] {
      const stock = new Map(state.stock);
      for (const l of d.stock) stock.set(l.sku, l);
      return [{ ...state, stock }, d.keptHolds?.find((h) => h.orderId === hold.orderId) ?? (d.reservation?.orderId === hold.orderId ? d.reservation : hold)];
    }
    // given 3 kept apples, 1 of which a re-order takes
    let hold = kept('old-1', [{ sku: 'apple', quantity: 3 }]);
    let state: InventoryState = { reservation: undefined, stock: stockOf(level('apple', 0, 3)), keptHolds: [hold] };
    [state, hold] = apply(state, decideReserve(state, order([item('apple', 1)])), hold);

    // when the release timer fires
    const released = decideRelease({ reservation: hold, stock: state.stock }, 'old-1', 'order_cancelled');

    // then only the 2 left go back to available; the re-order's apple stays held
    assert.deepEqual(released.events, [{ type: 'StockReleased', data: { orderId: 'old-1', items: [{ sku: 'apple', quantity: 2 }], reason: 'order_cancelled' } }]);
    assert.deepEqual(released.stock, [{ sku: 'apple', available: 2, held: 1, sold: 0, received: 3 }]);

    // and a hold that went entirely to re-orders releases nothing
    const transferred: Reservation = { ...hold, status: 'TRANSFERRED', lines: [] };
    assert.deepEqual(decideRelease({ reservation: transferred, stock: state.stock }, 'old-1', 'order_cancelled'), nothingHappens);
  });
});

// ---- decideSetStock ------------------------------------------------------------------

describe('decideSetStock', () => {
  it('creates a level with the quantity available and received when the sku is new', () => {
    assert.deepEqual(decideSetStock(undefined, { sku: 'apple', quantity: 10 }), {
      sku: 'apple',
      available: 10,
      held: 0,
      sold: 0,
      received: 10,
    });
  });

  it('raises received by the increase in available, leaving held and sold alone', () => {
    const next = decideSetStock(level('apple', 4, 3, 5), { sku: 'apple', quantity: 10 });

    assert.deepEqual(next, { sku: 'apple', available: 10, held: 3, sold: 5, received: 18 });
    assertConserved([next]);
  });

  it('lowers received by the decrease in available, leaving held and sold alone', () => {
    const next = decideSetStock(level('apple', 8, 2, 1), { sku: 'apple', quantity: 3 });

    assert.deepEqual(next, { sku: 'apple', available: 3, held: 2, sold: 1, received: 6 });
    assertConserved([next]);
  });

  it('sets available to zero without touching held stock', () => {
    const next = decideSetStock(level('apple', 5, 2), { sku: 'apple', quantity: 0 });

    assert.deepEqual(next, { sku: 'apple', available: 0, held: 2, sold: 0, received: 2 });
  });

  it('changes nothing when the quantity equals what is available', () => {
    const before = level('apple', 5, 1, 1);

    assert.deepEqual(decideSetStock(before, { sku: 'apple', quantity: 5 }), before);
  });

  it('treats a missing level like an empty one', () => {
    assert.deepEqual(emptyLevel('apple'), { sku: 'apple', available: 0, held: 0, sold: 0, received: 0 });
    assert.deepEqual(decideSetStock(undefined, { sku: 'apple', quantity: 0 }), emptyLevel('apple'));
  });
});
