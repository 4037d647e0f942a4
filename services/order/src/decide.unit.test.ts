import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CancelReason, PlaceOrderData } from '@jetsaga/events';
import {
  decideCancel,
  decideConfirm,
  decidePlace,
  decideRefunded,
  decideRefundRequest,
  orderTotal,
  type Order,
  type OrderStatus,
} from './decide.js';

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

function orderIn(status: OrderStatus, cancelReason: CancelReason | null = null, refundReason: string | null = null): Order {
  return {
    orderId: 'order-1',
    customerId: 'cust-1',
    status,
    items: [{ sku: 'apple', quantity: 2, unitPrice: 150 }],
    total: 300,
    cancelReason,
    refundReason,
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
        refundReason: null,
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

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED'] as const) {
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

  for (const status of ['REFUNDING', 'REFUNDED'] as const) {
    it(`then nothing happens when a late payment arrives for a ${status} order`, () => {
      assert.deepEqual(decideConfirm(orderIn(status, null, 'damaged')), { events: [] });
    });
  }
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

  for (const status of ['REFUNDING', 'REFUNDED'] as const) {
    it(`then nothing happens when the deadline fires on a ${status} order`, () => {
      assert.deepEqual(decideCancel(orderIn(status, null, 'damaged'), 'timeout'), { events: [] });
    });
  }
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

// ---- decideRefundRequest -------------------------------------------------------------

describe('decideRefundRequest', () => {
  it('moves a CONFIRMED order to REFUNDING with the reason and emits RefundRequested', () => {
    // given a CONFIRMED order; when a refund is requested
    const decision = decideRefundRequest(orderIn('CONFIRMED'), { orderId: 'order-1', reason: 'arrived damaged' });

    // then the order is REFUNDING, remembers the reason, and RefundRequested carries the summary and the reason
    assert.deepEqual(decision, {
      order: { ...orderIn('CONFIRMED'), status: 'REFUNDING', refundReason: 'arrived damaged' },
      events: [{ type: 'RefundRequested', data: { ...summary, reason: 'arrived damaged' } }],
    });
  });

  it('rejects a refund of an unknown order with reason unknown_order and status null, changing nothing', () => {
    assert.deepEqual(decideRefundRequest(undefined, { orderId: 'order-9', reason: 'changed my mind' }), {
      events: [{ type: 'RefundRejected', data: { orderId: 'order-9', reason: 'unknown_order', status: null } }],
    });
  });

  for (const status of ['PENDING', 'CANCELLED'] as const) {
    it(`rejects a refund of a ${status} order with reason not_confirmed and its status, changing nothing`, () => {
      const order = orderIn(status, status === 'CANCELLED' ? 'timeout' : null);

      assert.deepEqual(decideRefundRequest(order, { orderId: 'order-1', reason: 'changed my mind' }), {
        events: [{ type: 'RefundRejected', data: { orderId: 'order-1', reason: 'not_confirmed', status } }],
      });
    });
  }

  for (const status of ['REFUNDING', 'REFUNDED'] as const) {
    it(`rejects a second refund of a ${status} order with reason already_refunded, keeping the first reason`, () => {
      const order = orderIn(status, null, 'arrived damaged');

      const decision = decideRefundRequest(order, { orderId: 'order-1', reason: 'another reason' });

      assert.deepEqual(decision, {
        events: [{ type: 'RefundRejected', data: { orderId: 'order-1', reason: 'already_refunded', status } }],
      });
    });
  }

  it('does not mutate the order it was given', () => {
    const order = orderIn('CONFIRMED');

    decideRefundRequest(order, { orderId: 'order-1', reason: 'arrived damaged' });

    assert.deepEqual(order, orderIn('CONFIRMED'));
  });
});

// ---- decideRefunded ------------------------------------------------------------------

describe('decideRefunded', () => {
  it('moves a REFUNDING order to REFUNDED and emits OrderRefunded with the refund reason', () => {
    // given an order being refunded; when its stock is back
    const decision = decideRefunded(orderIn('REFUNDING', null, 'arrived damaged'));

    // then
    assert.deepEqual(decision, {
      order: orderIn('REFUNDED', null, 'arrived damaged'),
      events: [{ type: 'OrderRefunded', data: { ...summary, reason: 'arrived damaged' } }],
    });
  });

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDED'] as const) {
    it(`then nothing happens when the order is ${status}`, () => {
      assert.deepEqual(decideRefunded(orderIn(status, null, status === 'REFUNDED' ? 'arrived damaged' : null)), { events: [] });
    });
  }

  it('then nothing happens when the order does not exist', () => {
    assert.deepEqual(decideRefunded(undefined), { events: [] });
  });
});

describe('place, confirm, refund', () => {
  it('ends REFUNDED with one RefundRequested and one OrderRefunded, and a repeated request is rejected as already_refunded', () => {
    // given a placed and confirmed order
    const placed = decidePlace(undefined, placeOrder, now, deadlineMs).order;
    assert.ok(placed);
    const confirmed = decideConfirm(placed).order;
    assert.ok(confirmed);

    // when a refund is requested, requested again while REFUNDING, completed, then requested a third time
    const requested = decideRefundRequest(confirmed, { orderId: 'order-1', reason: 'too small' });
    assert.ok(requested.order);
    const again = decideRefundRequest(requested.order, { orderId: 'order-1', reason: 'too small' });
    const refunded = decideRefunded(requested.order);
    assert.ok(refunded.order);
    const late = decideRefundRequest(refunded.order, { orderId: 'order-1', reason: 'too small' });

    // then the order is REFUNDED with the reason, and only the first request started a refund
    const placedSummary = { orderId: 'order-1', customerId: 'cust-1', items: placeOrder.items, total: 630 };
    assert.deepEqual(refunded.order, {
      ...placedSummary,
      status: 'REFUNDED',
      cancelReason: null,
      refundReason: 'too small',
    });
    assert.deepEqual([...requested.events, ...again.events, ...refunded.events, ...late.events], [
      { type: 'RefundRequested', data: { ...placedSummary, reason: 'too small' } },
      { type: 'RefundRejected', data: { orderId: 'order-1', reason: 'already_refunded', status: 'REFUNDING' } },
      { type: 'OrderRefunded', data: { ...placedSummary, reason: 'too small' } },
      { type: 'RefundRejected', data: { orderId: 'order-1', reason: 'already_refunded', status: 'REFUNDED' } },
    ]);
    // and a redelivered StockRestocked does nothing more
    assert.deepEqual(decideRefunded(refunded.order), { events: [] });
  });

  it('rejects a refund of an order the deadline cancelled, as not_confirmed', () => {
    const placed = decidePlace(undefined, placeOrder, now, deadlineMs).order;
    assert.ok(placed);
    const cancelled = decideCancel(placed, 'timeout').order;
    assert.ok(cancelled);

    assert.deepEqual(decideRefundRequest(cancelled, { orderId: 'order-1', reason: 'too small' }), {
      events: [{ type: 'RefundRejected', data: { orderId: 'order-1', reason: 'not_confirmed', status: 'CANCELLED' } }],
    });
  });
});
