import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type CancelReason, cancelReasons, type PlaceOrderData } from '@jetsaga/events';
import { message, routerSpec, SPEC_NOW, timerDue } from '@jetsaga/messaging';
import { orderTotal, type Order, type OrderDecision, type OrderStatus } from './decide.js';
import { type OrderInput, type OrderState, react } from './react.js';

// ---- given helpers ------------------------------------------------------------------

const placeOrder: PlaceOrderData = {
  orderId: 'order-1',
  customerId: 'cust-1',
  items: [
    { sku: 'apple', quantity: 3, unitPrice: 120 },
    { sku: 'pear', quantity: 2, unitPrice: 75 },
    { sku: 'plum', quantity: 1, unitPrice: 120 },
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

const now = SPEC_NOW; // 2024-05-01T12:00:00.000Z
const deadlineMs = 30_000;

const spec = routerSpec(react, { settings: { deadlineMs } });

const summary = { orderId: 'order-1', customerId: 'cust-1', items: [{ sku: 'apple', quantity: 2, unitPrice: 150 }], total: 300 };

const noOrder: OrderState = { order: undefined };

function given(order: Order | undefined) {
  return spec.given({ order });
}

// ---- when: the inputs the router receives -------------------------------------------

const place = message('PlaceOrder', placeOrder);

/** PaymentSucceeded of `amount` from `customerId` (by default: orderIn's total, 300, from its customer). */
function paid(amount = 300, customerId = 'cust-1') {
  return message('PaymentSucceeded', { orderId: 'order-1', customerId, amount, paymentId: 'pay-1' });
}

const paymentSucceeded = paid();
/** The payment of `placeOrder` (total 630). */
const placedPaid = paid(630);

const deadline = timerDue('OrderDeadline', 'order-1');

/** The input that makes the router cancel a PENDING order with `reason`. */
function cancelling(reason: CancelReason): OrderInput {
  switch (reason) {
    case 'out_of_stock':
      return message('StockReservationFailed', {
        orderId: 'order-1',
        reason: 'out_of_stock',
        shortages: [{ sku: 'apple', requested: 2, available: 1 }],
      });
    case 'price_mismatch':
      return message('StockReservationFailed', {
        orderId: 'order-1',
        reason: 'price_mismatch',
        prices: [{ sku: 'apple', unitPrice: 150, currentPrice: 180 }],
      });
    case 'not_for_sale':
      return message('StockReservationFailed', { orderId: 'order-1', reason: 'not_for_sale', notForSale: ['apple'] });
    case 'payment_failed':
      return message('PaymentFailed', { orderId: 'order-1', customerId: 'cust-1', amount: 300, reason: 'insufficient_funds', balance: 0 });
    case 'timeout':
      return deadline;
    case 'manual':
      return message('CancelOrder', { orderId: 'order-1', reason: 'ops: stuck' });
  }
}

function refundRequest(orderId: string, reason: string) {
  return message('RequestRefund', { orderId, reason });
}

const restocked = message('StockRestocked', { orderId: 'order-1', items: [{ sku: 'apple', quantity: 2 }] });

const disarmed = [{ kind: 'OrderDeadline', key: 'order-1' }];

/** The state after the kit saved the decision's changes. */
function applied(state: OrderState, decision: OrderDecision): OrderState {
  return { order: decision.changes?.order ?? state.order };
}

/** The state after each input in turn, with every decision on the way. */
function run(state: OrderState, ...inputs: OrderInput[]): { state: OrderState; decisions: OrderDecision[] } {
  const decisions: OrderDecision[] = [];
  for (const input of inputs) {
    const decision = spec.given(state).when(input).decision();
    decisions.push(decision);
    state = applied(state, decision);
  }
  return { state, decisions };
}

// ---- orderTotal ------------------------------------------------------------------------

describe('orderTotal', () => {
  it('sums quantity * unitPrice over every line', () => {
    assert.equal(orderTotal(placeOrder.items), 3 * 120 + 2 * 75 + 1 * 120);
  });

  it('is 0 when every line is free', () => {
    assert.equal(orderTotal([{ sku: 'gift', quantity: 4, unitPrice: 0 }]), 0);
  });
});

// ---- PlaceOrder ------------------------------------------------------------------------

describe('PlaceOrder', () => {
  it('creates a PENDING order totalling quantity * unitPrice, emits OrderCreated and sets its deadline', () => {
    // given no order yet; when it is placed; then
    spec
      .given(noOrder)
      .when(place)
      .then({
        changes: {
          order: {
            orderId: 'order-1',
            customerId: 'cust-1',
            status: 'PENDING',
            items: placeOrder.items,
            total: 630,
            cancelReason: null,
            refundReason: null,
          },
        },
        events: [
          {
            type: 'OrderCreated',
            data: { orderId: 'order-1', customerId: 'cust-1', items: placeOrder.items, total: 630 },
          },
        ],
        arm: [{ kind: 'OrderDeadline', key: 'order-1', dueAt: new Date('2024-05-01T12:00:30.000Z') }],
      });
  });

  it('sets the deadline deadlineMs after now', () => {
    const decision = spec.given(noOrder).when(place, { settings: { deadlineMs: 5 * 60_000 } }).decision();

    assert.deepEqual(decision.arm, [{ kind: 'OrderDeadline', key: 'order-1', dueAt: new Date('2024-05-01T12:05:00.000Z') }]);
  });

  it('does not mutate the now it was given', () => {
    const given = new Date(now.getTime());

    spec.given(noOrder).when(place, { now: given }).decision();

    assert.equal(given.getTime(), now.getTime());
  });

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED'] as const) {
    it(`then nothing happens when a ${status} order with that id already exists, and no new deadline is set`, () => {
      given(orderIn(status)).when(place).thenNothing();
    });
  }
});

// ---- PaymentSucceeded: confirm -----------------------------------------------------------

describe('PaymentSucceeded', () => {
  it('confirms a PENDING order, emits OrderConfirmed and disarms its deadline', () => {
    given(orderIn('PENDING'))
      .when(paymentSucceeded)
      .then({
        changes: { order: { ...orderIn('PENDING'), status: 'CONFIRMED' } },
        events: [{ type: 'OrderConfirmed', data: summary }],
        disarm: disarmed,
      });
  });

  it('then nothing happens when the order is already CONFIRMED', () => {
    given(orderIn('CONFIRMED')).when(paymentSucceeded).thenNothing();
  });

  it('never confirms a CANCELLED order', () => {
    for (const reason of cancelReasons) {
      given(orderIn('CANCELLED', reason)).when(paymentSucceeded).thenNothing();
    }
  });

  it('then nothing happens when the order does not exist', () => {
    spec.given(noOrder).when(paymentSucceeded).thenNothing();
  });

  for (const status of ['REFUNDING', 'REFUNDED'] as const) {
    it(`then nothing happens when a late payment arrives for a ${status} order`, () => {
      given(orderIn(status, null, 'damaged')).when(paymentSucceeded).thenNothing();
    });
  }
});

// ---- payment facts that contradict the order: mismatch ----------------------------------

describe('a payment event whose facts are not the order\'s (fact mismatch)', () => {
  it('does not confirm a PENDING order paid less than its total: a mismatch naming both amounts', () => {
    // given a PENDING order of 300; when a payment of 1 arrives; then nothing is saved or emitted
    given(orderIn('PENDING'))
      .when(paid(1))
      .then({ mismatch: "order order-1: amount 1 is not the order's total 300" });
  });

  it('does not confirm a PENDING order paid more than its total either', () => {
    assert.match(given(orderIn('PENDING')).when(paid(301)).decision().mismatch ?? '', /amount 301 is not the order's total 300/);
  });

  it('does not confirm a PENDING order paid by another customer: a mismatch naming both customers', () => {
    given(orderIn('PENDING'))
      .when(paid(300, 'mallory'))
      .then({ mismatch: 'order order-1: customerId "mallory" is not the order\'s customer "cust-1"' });
  });

  it('names every fact that differs', () => {
    const { mismatch } = given(orderIn('PENDING')).when(paid(1, 'mallory')).decision();

    assert.match(mismatch ?? '', /amount 1 .*; customerId "mallory"/);
  });

  for (const status of ['CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED'] as const) {
    it(`is a mismatch on a ${status} order too: the facts contradict its records whatever its status`, () => {
      assert.match(given(orderIn(status, status === 'CANCELLED' ? 'timeout' : null)).when(paid(1)).decision().mismatch ?? '', /amount 1/);
    });
  }

  it('does not cancel a PENDING order on a PaymentFailed of another amount or customer', () => {
    const failed = (amount: number, customerId: string) =>
      message('PaymentFailed', { orderId: 'order-1', customerId, amount, reason: 'insufficient_funds', balance: 0 });

    given(orderIn('PENDING'))
      .when(failed(5, 'cust-1'))
      .then({ mismatch: "order order-1: amount 5 is not the order's total 300" });
    given(orderIn('PENDING'))
      .when(failed(300, 'mallory'))
      .then({ mismatch: 'order order-1: customerId "mallory" is not the order\'s customer "cust-1"' });
  });

  it('then nothing happens, rather than a mismatch, when the order does not exist (nothing to contradict)', () => {
    spec.given(noOrder).when(paid(1, 'mallory')).thenNothing();
  });
});

// ---- StockReservationFailed, PaymentFailed, the deadline: cancel ---------------------------

describe('StockReservationFailed, PaymentFailed and OrderDeadline', () => {
  for (const reason of cancelReasons) {
    it(`cancels a PENDING order with reason ${reason}, emits OrderCancelled and disarms its deadline`, () => {
      given(orderIn('PENDING'))
        .when(cancelling(reason))
        .then({
          changes: { order: { ...orderIn('PENDING'), status: 'CANCELLED', cancelReason: reason } },
          events: [{ type: 'OrderCancelled', data: { ...summary, reason, ...(reason === 'manual' ? { note: 'ops: stuck' } : {}) } }],
          disarm: disarmed,
        });
    });
  }

  it('then nothing happens when the order is CONFIRMED', () => {
    given(orderIn('CONFIRMED')).when(cancelling('payment_failed')).thenNothing();
  });

  it('then nothing happens when the deadline fires after the order was CONFIRMED', () => {
    given(orderIn('CONFIRMED')).when(deadline).thenNothing();
  });

  it('then nothing happens when a refusal arrives after the order timed out, and timeout stays the reason', () => {
    for (const reason of cancelReasons.filter((r) => r !== 'manual')) {
      given(orderIn('CANCELLED', 'timeout')).when(cancelling(reason)).thenNothing();
    }
  });

  it('then nothing happens when the order is already CANCELLED, and its first reason stays', () => {
    given(orderIn('CANCELLED', 'out_of_stock')).when(deadline).thenNothing();
  });

  it('then nothing happens when the order does not exist', () => {
    spec.given(noOrder).when(cancelling('out_of_stock')).thenNothing();
  });

  for (const status of ['REFUNDING', 'REFUNDED'] as const) {
    it(`then nothing happens when the deadline fires on a ${status} order`, () => {
      given(orderIn(status, null, 'damaged')).when(deadline).thenNothing();
    });
  }
});

// ---- CancelOrder: an operator's intervention -----------------------------------------------

describe('CancelOrder', () => {
  const cancel = message('CancelOrder', { orderId: 'order-1', reason: 'ops: stuck' });

  for (const status of ['CONFIRMED', 'CANCELLED', 'REFUNDED'] as const) {
    it(`refuses to cancel a ${status} order (already_over), changing nothing`, () => {
      given(orderIn(status, status === 'CANCELLED' ? 'timeout' : null)).when(cancel).then({ events: [{ type: 'CancelRejected', data: { orderId: 'order-1', reason: 'already_over', status } }] });
    });
  }

  it('refuses to cancel an order being refunded (refund_in_progress)', () => {
    given(orderIn('REFUNDING', null, 'damaged')).when(cancel).then({ events: [{ type: 'CancelRejected', data: { orderId: 'order-1', reason: 'refund_in_progress', status: 'REFUNDING' } }] });
  });

  it('refuses to cancel an unknown order', () => {
    spec.given(noOrder).when(cancel).then({ events: [{ type: 'CancelRejected', data: { orderId: 'order-1', reason: 'unknown_order', status: null } }] });
  });

  it('then a late payment finds the order cancelled and confirms nothing', () => {
    const { state } = run(noOrder, place, cancel);
    assert.equal(state.order?.status, 'CANCELLED');
    assert.equal(state.order?.cancelReason, 'manual');
    spec.given(state).when(placedPaid).thenNothing();
  });
});

// ---- the saga's end states -------------------------------------------------------------

describe('place then cancel then confirm', () => {
  it('keeps a cancelled order cancelled when a late payment confirmation arrives', () => {
    const { state } = run(noOrder, place, cancelling('out_of_stock'));
    assert.ok(state.order);

    assert.equal(state.order.status, 'CANCELLED');
    assert.equal(state.order.cancelReason, 'out_of_stock');
    spec.given(state).when(placedPaid).thenNothing();
  });

  it('keeps a confirmed order confirmed when a late cancel arrives', () => {
    const { state } = run(noOrder, place, placedPaid);
    assert.ok(state.order);

    assert.equal(state.order.status, 'CONFIRMED');
    assert.equal(state.order.cancelReason, null);
    spec.given(state).when(deadline).thenNothing();
  });
});

describe('place then deadline then late payment', () => {
  it('cancels the order with reason timeout when the deadline fires, and a late payment never confirms it', () => {
    // given a placed order whose deadline has passed
    const placed = spec.given(noOrder).when(place).decision();
    assert.ok(placed.changes);
    assert.deepEqual(placed.arm, [{ kind: 'OrderDeadline', key: 'order-1', dueAt: new Date(now.getTime() + deadlineMs) }]);
    const pending: OrderState = applied(noOrder, placed);

    // when the deadline fires, then the order is cancelled with reason timeout and OrderCancelled carries it
    spec
      .given(pending)
      .when(deadline)
      .then({
        changes: { order: { ...placed.changes.order, status: 'CANCELLED', cancelReason: 'timeout' } },
        events: [
          {
            type: 'OrderCancelled',
            data: { orderId: 'order-1', customerId: 'cust-1', items: placeOrder.items, total: 630, reason: 'timeout' },
          },
        ],
        disarm: disarmed,
      });

    // and when the payment lands afterwards, then nothing happens
    const timedOut = applied(pending, spec.given(pending).when(deadline).decision());
    spec.given(timedOut).when(placedPaid).thenNothing();
  });

  it('then nothing happens when the deadline fires after the payment confirmed the order', () => {
    const { state } = run(noOrder, place, placedPaid);
    assert.equal(state.order?.status, 'CONFIRMED');

    spec.given(state).when(deadline).thenNothing();
  });
});

// ---- RequestRefund -----------------------------------------------------------------------

describe('RequestRefund', () => {
  it('moves a CONFIRMED order to REFUNDING with the reason and emits RefundRequested', () => {
    // given a CONFIRMED order; when a refund is requested
    // then the order is REFUNDING, remembers the reason, and RefundRequested carries the summary and the reason
    given(orderIn('CONFIRMED'))
      .when(refundRequest('order-1', 'arrived damaged'))
      .then({
        changes: { order: { ...orderIn('CONFIRMED'), status: 'REFUNDING', refundReason: 'arrived damaged' } },
        events: [{ type: 'RefundRequested', data: { ...summary, reason: 'arrived damaged' } }],
      });
  });

  it('rejects a refund of an unknown order with reason unknown_order and status null, changing nothing', () => {
    spec
      .given(noOrder)
      .when(refundRequest('order-9', 'changed my mind'))
      .then({
        events: [{ type: 'RefundRejected', data: { orderId: 'order-9', reason: 'unknown_order', status: null } }],
      });
  });

  for (const status of ['PENDING', 'CANCELLED'] as const) {
    it(`rejects a refund of a ${status} order with reason not_confirmed and its status, changing nothing`, () => {
      const order = orderIn(status, status === 'CANCELLED' ? 'timeout' : null);

      given(order)
        .when(refundRequest('order-1', 'changed my mind'))
        .then({
          events: [{ type: 'RefundRejected', data: { orderId: 'order-1', reason: 'not_confirmed', status } }],
        });
    });
  }

  for (const status of ['REFUNDING', 'REFUNDED'] as const) {
    it(`rejects a second refund of a ${status} order with reason already_refunded, keeping the first reason`, () => {
      const order = orderIn(status, null, 'arrived damaged');

      given(order)
        .when(refundRequest('order-1', 'another reason'))
        .then({
          events: [{ type: 'RefundRejected', data: { orderId: 'order-1', reason: 'already_refunded', status } }],
        });
    });
  }

  it('does not mutate the order it was given', () => {
    const order = orderIn('CONFIRMED');

    given(order).when(refundRequest('order-1', 'arrived damaged')).decision();

    assert.deepEqual(order, orderIn('CONFIRMED'));
  });
});

// ---- StockRestocked: refunded ------------------------------------------------------------

describe('StockRestocked', () => {
  it('moves a REFUNDING order to REFUNDED and emits OrderRefunded with the refund reason', () => {
    // given an order being refunded; when its stock is back; then
    given(orderIn('REFUNDING', null, 'arrived damaged'))
      .when(restocked)
      .then({
        changes: { order: orderIn('REFUNDED', null, 'arrived damaged') },
        events: [{ type: 'OrderRefunded', data: { ...summary, reason: 'arrived damaged' } }],
      });
  });

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDED'] as const) {
    it(`then nothing happens when the order is ${status}`, () => {
      given(orderIn(status, null, status === 'REFUNDED' ? 'arrived damaged' : null))
        .when(restocked)
        .thenNothing();
    });
  }

  it('then nothing happens when the order does not exist', () => {
    spec.given(noOrder).when(restocked).thenNothing();
  });
});

describe('place, confirm, refund', () => {
  it('ends REFUNDED with one RefundRequested and one OrderRefunded, and a repeated request is rejected as already_refunded', () => {
    // given a placed and confirmed order
    const confirmed = run(noOrder, place, placedPaid).state;
    assert.equal(confirmed.order?.status, 'CONFIRMED');

    // when a refund is requested, requested again while REFUNDING, completed, then requested a third time
    const request = refundRequest('order-1', 'too small');
    const { state, decisions } = run(confirmed, request, request, restocked, request);

    // then the order is REFUNDED with the reason, and only the first request started a refund
    const placedSummary = { orderId: 'order-1', customerId: 'cust-1', items: placeOrder.items, total: 630 };
    assert.deepEqual(state.order, {
      ...placedSummary,
      status: 'REFUNDED',
      cancelReason: null,
      refundReason: 'too small',
    });
    assert.deepEqual(decisions.flatMap((d) => d.events ?? []), [
      { type: 'RefundRequested', data: { ...placedSummary, reason: 'too small' } },
      { type: 'RefundRejected', data: { orderId: 'order-1', reason: 'already_refunded', status: 'REFUNDING' } },
      { type: 'OrderRefunded', data: { ...placedSummary, reason: 'too small' } },
      { type: 'RefundRejected', data: { orderId: 'order-1', reason: 'already_refunded', status: 'REFUNDED' } },
    ]);
    // and a redelivered StockRestocked does nothing more
    spec.given(state).when(restocked).thenNothing();
  });

  it('rejects a refund of an order the deadline cancelled, as not_confirmed', () => {
    const { state } = run(noOrder, place, deadline);
    assert.equal(state.order?.status, 'CANCELLED');

    spec
      .given(state)
      .when(refundRequest('order-1', 'too small'))
      .then({
        events: [{ type: 'RefundRejected', data: { orderId: 'order-1', reason: 'not_confirmed', status: 'CANCELLED' } }],
      });
  });
});
