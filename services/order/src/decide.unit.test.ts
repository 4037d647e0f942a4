import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CancelReason, PlaceOrderData } from '@jetsaga/events';
import { decideCancel, decideConfirm, decidePlace, orderTotal, type Order, type OrderStatus } from './decide.js';

// ---- given helpers ------------------------------------------------------------------

const placeOrder: PlaceOrderData = {
  orderId: 'order-1',
  customerId: 'cust-1',
  items: [
    { sku: 'apple', quantity: 3, unitPrice: 120 },
    { sku: 'pear', quantity: 2, unitPrice: 75 },
    { sku: 'apple', quantity: 1, unitPrice: 120 },
  ],
};

function orderIn(status: OrderStatus, cancelReason: CancelReason | null = null): Order {
  return {
    orderId: 'order-1',
    customerId: 'cust-1',
    status,
    items: [{ sku: 'apple', quantity: 2, unitPrice: 150 }],
    total: 300,
    cancelReason,
  };
}

const now = new Date('2024-05-01T12:00:00.000Z');
const deadlineMs = 30_000;

const summary = { orderId: 'order-1', customerId: 'cust-1', items: [{ sku: 'apple', quantity: 2, unitPrice: 150 }], total: 300 };

// ---- orderTotal ------------------------------------------------------------------------

describe('orderTotal', () => {
  it('sums quantity * unitPrice over every line', () => {
    assert.equal(orderTotal(placeOrder.items), 3 * 120 + 2 * 75 + 1 * 120);
  });

  it('is 0 when every line is free', () => {
    assert.equal(orderTotal([{ sku: 'gift', quantity: 4, unitPrice: 0 }]), 0);
  });
});

// ---- decidePlace ---------------------------------------------------------------------

describe('decidePlace', () => {
  it('creates a PENDING order totalling quantity * unitPrice, emits OrderCreated and sets its deadline', () => {
    // given no order yet; when it is placed
    const decision = decidePlace(undefined, placeOrder, now, deadlineMs);

    // then
    assert.deepEqual(decision, {
      order: {
        orderId: 'order-1',
        customerId: 'cust-1',
        status: 'PENDING',
        items: placeOrder.items,
        total: 630,
        cancelReason: null,
      },
      events: [
        {
          type: 'OrderCreated',
          data: { orderId: 'order-1', customerId: 'cust-1', items: placeOrder.items, total: 630 },
        },
      ],
      deadline: new Date('2024-05-01T12:00:30.000Z'),
    });
  });

  it('sets the deadline deadlineMs after now', () => {
    const decision = decidePlace(undefined, placeOrder, now, 5 * 60_000);

    assert.deepEqual(decision.deadline, new Date('2024-05-01T12:05:00.000Z'));
  });

  it('does not mutate the now it was given', () => {
    const given = new Date(now.getTime());

    decidePlace(undefined, placeOrder, given, deadlineMs);

    assert.equal(given.getTime(), now.getTime());
  });

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED'] as const) {
    it(`then nothing happens when a ${status} order with that id already exists, and no new deadline is set`, () => {
      assert.deepEqual(decidePlace(orderIn(status), placeOrder, now, deadlineMs), { events: [] });
    });
  }
});

// ---- decideConfirm -------------------------------------------------------------------

describe('decideConfirm', () => {
  it('confirms a PENDING order and emits OrderConfirmed', () => {
    assert.deepEqual(decideConfirm(orderIn('PENDING')), {
      order: { ...orderIn('PENDING'), status: 'CONFIRMED' },
      events: [{ type: 'OrderConfirmed', data: summary }],
    });
  });

  it('then nothing happens when the order is already CONFIRMED', () => {
    assert.deepEqual(decideConfirm(orderIn('CONFIRMED')), { events: [] });
  });

  it('never confirms a CANCELLED order', () => {
    for (const reason of ['out_of_stock', 'payment_failed', 'timeout'] as const) {
      assert.deepEqual(decideConfirm(orderIn('CANCELLED', reason)), { events: [] });
    }
  });

  it('then nothing happens when the order does not exist', () => {
    assert.deepEqual(decideConfirm(undefined), { events: [] });
  });
});

// ---- decideCancel --------------------------------------------------------------------

describe('decideCancel', () => {
  for (const reason of ['out_of_stock', 'payment_failed', 'timeout'] as const) {
    it(`cancels a PENDING order with reason ${reason} and emits OrderCancelled`, () => {
      assert.deepEqual(decideCancel(orderIn('PENDING'), reason), {
        order: { ...orderIn('PENDING'), status: 'CANCELLED', cancelReason: reason },
        events: [{ type: 'OrderCancelled', data: { ...summary, reason } }],
      });
    });
  }

  it('then nothing happens when the order is CONFIRMED', () => {
    assert.deepEqual(decideCancel(orderIn('CONFIRMED'), 'payment_failed'), { events: [] });
  });

  it('then nothing happens when the deadline fires after the order was CONFIRMED', () => {
    assert.deepEqual(decideCancel(orderIn('CONFIRMED'), 'timeout'), { events: [] });
  });

  it('then nothing happens when a refusal arrives after the order timed out, and timeout stays the reason', () => {
    for (const reason of ['out_of_stock', 'payment_failed', 'timeout'] as const) {
      assert.deepEqual(decideCancel(orderIn('CANCELLED', 'timeout'), reason), { events: [] });
    }
  });

  it('then nothing happens when the order is already CANCELLED, and its first reason stays', () => {
    assert.deepEqual(decideCancel(orderIn('CANCELLED', 'out_of_stock'), 'timeout'), { events: [] });
  });

  it('then nothing happens when the order does not exist', () => {
    assert.deepEqual(decideCancel(undefined, 'out_of_stock'), { events: [] });
  });
});

// ---- the saga's end states -------------------------------------------------------------

describe('place then cancel then confirm', () => {
  it('keeps a cancelled order cancelled when a late payment confirmation arrives', () => {
    const placed = decidePlace(undefined, placeOrder, now, deadlineMs).order;
    assert.ok(placed);
    const cancelled = decideCancel(placed, 'out_of_stock').order;
    assert.ok(cancelled);

    assert.equal(cancelled.status, 'CANCELLED');
    assert.equal(cancelled.cancelReason, 'out_of_stock');
    assert.deepEqual(decideConfirm(cancelled), { events: [] });
  });

  it('keeps a confirmed order confirmed when a late cancel arrives', () => {
    const placed = decidePlace(undefined, placeOrder, now, deadlineMs).order;
    assert.ok(placed);
    const confirmed = decideConfirm(placed).order;
    assert.ok(confirmed);

    assert.equal(confirmed.status, 'CONFIRMED');
    assert.equal(confirmed.cancelReason, null);
    assert.deepEqual(decideCancel(confirmed, 'timeout'), { events: [] });
  });
});

describe('place then deadline then late payment', () => {
  it('cancels the order with reason timeout when the deadline fires, and a late payment never confirms it', () => {
    // given a placed order whose deadline has passed
    const placed = decidePlace(undefined, placeOrder, now, deadlineMs);
    assert.ok(placed.order);
    assert.deepEqual(placed.deadline, new Date(now.getTime() + deadlineMs));

    // when the deadline fires
    const timedOut = decideCancel(placed.order, 'timeout');

    // then the order is cancelled with reason timeout and OrderCancelled carries it
    assert.deepEqual(timedOut, {
      order: { ...placed.order, status: 'CANCELLED', cancelReason: 'timeout' },
      events: [
        {
          type: 'OrderCancelled',
          data: { orderId: 'order-1', customerId: 'cust-1', items: placeOrder.items, total: 630, reason: 'timeout' },
        },
      ],
    });

    // and when the payment lands afterwards, then nothing happens
    assert.ok(timedOut.order);
    assert.deepEqual(decideConfirm(timedOut.order), { events: [] });
  });

  it('then nothing happens when the deadline fires after the payment confirmed the order', () => {
    const placed = decidePlace(undefined, placeOrder, now, deadlineMs).order;
    assert.ok(placed);
    const confirmed = decideConfirm(placed).order;
    assert.ok(confirmed);

    assert.deepEqual(decideCancel(confirmed, 'timeout'), { events: [] });
  });
});
