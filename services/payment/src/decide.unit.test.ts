import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type CancelReason, cancelReasons, MAX_WALLET_BALANCE, type OrderCancelledData, type StockReservedData } from '@jetsaga/events';
import { message, routerSpec } from '@jetsaga/messaging';
import type { Payment, PaymentDecision, PaymentState, Wallet } from './decide.js';
import { type PaymentInput, react } from './react.js';

// ---- given helpers ------------------------------------------------------------------

const spec = routerSpec(react, { settings: {} });

function reserved(total: number): StockReservedData {
  return { orderId: 'order-1', customerId: 'cust-1', items: [{ sku: 'apple', quantity: 1, unitPrice: total }], total };
}

function wallet(balance: number, credited = balance): Wallet {
  return { customerId: 'cust-1', balance, credited };
}

function cancelled(total: number, reason: CancelReason = 'timeout'): OrderCancelledData {
  return { ...reserved(total), reason };
}

const captured: Payment = { orderId: 'order-1', paymentId: 'pay-0', customerId: 'cust-1', amount: 300, status: 'CAPTURED' };

const voided: Payment = { orderId: 'order-1', paymentId: 'pay-v', customerId: 'cust-1', amount: 0, status: 'VOIDED' };

/** The state after the kit saved the decision's changes. */
function applied(state: PaymentState, decision: PaymentDecision): PaymentState {
  return { wallet: decision.changes?.wallet ?? state.wallet, payment: decision.changes?.payment ?? state.payment };
}

/** The router's decision on `input` in `state`. */
function decided(state: PaymentState, input: PaymentInput): PaymentDecision {
  return spec.given(state).when(input).decision();
}

// ---- when: the inputs the router receives -------------------------------------------

/** StockReserved: charge the order's total. */
function stockReserved(total: number) {
  return message('StockReserved', reserved(total));
}

/** OrderCancelled: give back a captured charge, or leave a tombstone. */
function orderCancelled(total: number, reason: CancelReason = 'timeout') {
  return message('OrderCancelled', cancelled(total, reason));
}

/** RefundRequested: give back the captured charge of a confirmed order. */
const refundRequested = message('RefundRequested', { ...reserved(300), reason: 'arrived damaged' });

/** The same order's events, naming another customer than the one who paid (forged, or a bug). */
const naming = (customerId: string) => ({
  stockReserved: message('StockReserved', { ...reserved(300), customerId }),
  orderCancelled: message('OrderCancelled', { ...cancelled(300), customerId }),
  refundRequested: message('RefundRequested', { ...reserved(300), customerId, reason: 'arrived damaged' }),
});

function creditWallet(customerId: string, amount: number) {
  return message('CreditWallet', { customerId, amount });
}

// ---- StockReserved: charge ---------------------------------------------------------------

describe('StockReserved', () => {
  it('captures the total and lowers the balance when the wallet covers it', () => {
    // given a wallet with 1000
    const state: PaymentState = { wallet: wallet(1000), payment: undefined };

    // when stock for a 300 order is reserved
    // then 300 is captured under a new paymentId and PaymentSucceeded is emitted
    spec
      .given(state)
      .when(stockReserved(300))
      .then({
        changes: {
          wallet: { customerId: 'cust-1', balance: 700, credited: 1000 },
          payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 300, status: 'CAPTURED' },
        },
        events: [{ type: 'PaymentSucceeded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'id-1' } }],
      });
  });

  it('captures the total when the balance is exactly the total, leaving 0', () => {
    const state: PaymentState = { wallet: wallet(300), payment: undefined };

    spec
      .given(state)
      .when(stockReserved(300))
      .then({
        changes: {
          wallet: { customerId: 'cust-1', balance: 0, credited: 300 },
          payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 300, status: 'CAPTURED' },
        },
        events: [{ type: 'PaymentSucceeded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'id-1' } }],
      });
  });

  it('fails with the current balance and leaves the wallet alone when the balance is one short', () => {
    const state: PaymentState = { wallet: wallet(299, 500), payment: undefined };

    spec
      .given(state)
      .when(stockReserved(300))
      .then({
        changes: { payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 300, status: 'FAILED' } },
        events: [
          {
            type: 'PaymentFailed',
            data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, reason: 'insufficient_funds', balance: 299 },
          },
        ],
      });
    assert.equal(decided(state, stockReserved(300)).changes?.wallet, undefined);
  });

  it('fails with balance 0 when the customer has no wallet', () => {
    const state: PaymentState = { wallet: undefined, payment: undefined };

    spec
      .given(state)
      .when(stockReserved(300))
      .then({
        changes: { payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 300, status: 'FAILED' } },
        events: [
          {
            type: 'PaymentFailed',
            data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, reason: 'insufficient_funds', balance: 0 },
          },
        ],
      });
  });

  it('then nothing happens when the order was already charged', () => {
    const state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    spec.given(state).when(stockReserved(300)).thenNothing();
  });

  it('then nothing happens when the order already failed to pay, even after a credit', () => {
    const failed: Payment = { ...captured, status: 'FAILED' };
    const state: PaymentState = { wallet: wallet(5000), payment: failed };

    spec.given(state).when(stockReserved(300)).thenNothing();
  });

  it('then nothing happens when the order was already refunded', () => {
    const state: PaymentState = { wallet: wallet(1000), payment: { ...captured, status: 'REFUNDED' } };

    spec.given(state).when(stockReserved(300)).thenNothing();
  });

  it('charges nothing when the order was cancelled before payment was tried (VOIDED tombstone)', () => {
    // given the cancellation came first and left a tombstone
    const state: PaymentState = { wallet: wallet(1000), payment: voided };

    // when the late StockReserved arrives, then nothing is charged and nothing is emitted
    spec.given(state).when(stockReserved(300)).thenNothing();
  });

  it('charges once: applying the decision and redelivering the event changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    state = applied(state, decided(state, stockReserved(300)));

    spec.given(state).when(stockReserved(300)).thenNothing();
    assert.deepEqual(state.wallet, { customerId: 'cust-1', balance: 700, credited: 1000 });
  });
});

// ---- OrderCancelled: give back or tombstone -----------------------------------------------

describe('OrderCancelled', () => {
  it('refunds a CAPTURED payment to the wallet and emits PaymentRefunded with the original paymentId', () => {
    // given 300 was captured from a wallet now holding 700
    const state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    // when the order is cancelled
    // then the 300 goes back and the payment is REFUNDED
    spec
      .given(state)
      .when(orderCancelled(300))
      .then({
        changes: {
          wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
          payment: { orderId: 'order-1', paymentId: 'pay-0', customerId: 'cust-1', amount: 300, status: 'REFUNDED' },
        },
        events: [
          {
            type: 'PaymentRefunded',
            data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-0', reason: 'order_cancelled' },
          },
        ],
      });
  });

  it('refunds the captured amount, not the total on the cancellation', () => {
    const state: PaymentState = { wallet: wallet(0, 300), payment: captured };

    const decision = decided(state, orderCancelled(999));

    assert.deepEqual(decision.changes?.wallet, { customerId: 'cust-1', balance: 300, credited: 300 });
    assert.deepEqual(
      (decision.events ?? []).map((e) => e.data),
      [{ orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-0', reason: 'order_cancelled' }],
    );
  });

  it('refunds into a fresh wallet when the captured payment has no wallet loaded', () => {
    const state: PaymentState = { wallet: undefined, payment: captured };

    const decision = decided(state, orderCancelled(300));

    assert.deepEqual(decision.changes?.wallet, { customerId: 'cust-1', balance: 300, credited: 0 });
    assert.equal(decision.changes?.payment?.status, 'REFUNDED');
  });

  for (const reason of cancelReasons) {
    it(`leaves a VOIDED tombstone of amount 0, with no event, when the order is cancelled (${reason}) before any payment`, () => {
      // given no payment yet
      const state: PaymentState = { wallet: wallet(1000), payment: undefined };

      // when the cancellation arrives first
      // then only the tombstone is recorded, under a new paymentId; the wallet is untouched
      spec
        .given(state)
        .when(orderCancelled(300, reason))
        .then({ changes: { payment: { ...voided, paymentId: 'id-1' } } });
    });
  }

  for (const status of ['FAILED', 'REFUNDED', 'VOIDED'] as const) {
    it(`then nothing happens when the payment is ${status}`, () => {
      const payment: Payment = status === 'VOIDED' ? voided : { ...captured, status };
      const state: PaymentState = { wallet: wallet(700, 1000), payment };

      spec.given(state).when(orderCancelled(300)).thenNothing();
    });
  }

  it('refunds once: applying the decision and redelivering the cancellation changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decided(state, orderCancelled(300)));

    spec.given(state).when(orderCancelled(300)).thenNothing();
    assert.deepEqual(state.wallet, { customerId: 'cust-1', balance: 1000, credited: 1000 });
  });
});

describe('charge and cancel in either order', () => {
  it('returns the wallet to its starting balance when the charge lands before the cancellation', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const charge = decided(state, stockReserved(300));
    state = applied(state, charge);
    const refund = decided(state, orderCancelled(300));
    state = applied(state, refund);

    assert.deepEqual(
      [...(charge.events ?? []), ...(refund.events ?? [])].map((e) => e.type),
      ['PaymentSucceeded', 'PaymentRefunded'],
    );
    assert.deepEqual(state, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 300, status: 'REFUNDED' },
    });
  });

  it('never charges when the cancellation lands before the charge', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const cancel = decided(state, orderCancelled(300));
    state = applied(state, cancel);
    const charge = decided(state, stockReserved(300));
    state = applied(state, charge);

    assert.deepEqual([...(cancel.events ?? []), ...(charge.events ?? [])], []);
    assert.deepEqual(state, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 0, status: 'VOIDED' },
    });
  });
});

// ---- RefundRequested: refund -------------------------------------------------------------

describe('RefundRequested', () => {
  it('gives a CAPTURED payment back to the wallet and emits PaymentRefunded with reason refund_requested and the original paymentId', () => {
    // given 300 was captured from a wallet now holding 700
    const state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    // when a refund of the confirmed order is requested
    // then the 300 goes back, credited stays, and the payment is REFUNDED
    spec
      .given(state)
      .when(refundRequested)
      .then({
        changes: {
          wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
          payment: { orderId: 'order-1', paymentId: 'pay-0', customerId: 'cust-1', amount: 300, status: 'REFUNDED' },
        },
        events: [
          {
            type: 'PaymentRefunded',
            data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-0', reason: 'refund_requested' },
          },
        ],
      });
  });

  it('refunds into a fresh wallet when the captured payment has no wallet loaded', () => {
    const state: PaymentState = { wallet: undefined, payment: captured };

    spec
      .given(state)
      .when(refundRequested)
      .then({
        changes: {
          wallet: { customerId: 'cust-1', balance: 300, credited: 0 },
          payment: { ...captured, status: 'REFUNDED' },
        },
        events: [
          {
            type: 'PaymentRefunded',
            data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-0', reason: 'refund_requested' },
          },
        ],
      });
  });

  for (const status of ['FAILED', 'REFUNDED', 'VOIDED'] as const) {
    it(`then nothing happens when the payment is ${status}`, () => {
      const payment: Payment = status === 'VOIDED' ? voided : { ...captured, status };
      const state: PaymentState = { wallet: wallet(700, 1000), payment };

      spec.given(state).when(refundRequested).thenNothing();
    });
  }

  it('then nothing happens, and no tombstone is left, when the order has no payment', () => {
    const state: PaymentState = { wallet: wallet(1000), payment: undefined };

    spec.given(state).when(refundRequested).thenNothing();
  });

  it('refunds once: applying the decision and redelivering RefundRequested changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decided(state, refundRequested));

    spec.given(state).when(refundRequested).thenNothing();
    assert.deepEqual(state, { wallet: wallet(1000), payment: { ...captured, status: 'REFUNDED' } });
  });

  it('then nothing happens when a cancellation arrives after the refund', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decided(state, refundRequested));

    spec.given(state).when(orderCancelled(300)).thenNothing();
  });

  it('then nothing happens when a refund request arrives after the cancellation refunded the charge', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decided(state, orderCancelled(300)));

    spec.given(state).when(refundRequested).thenNothing();
    assert.deepEqual(state.wallet, wallet(1000));
  });
});

describe('charge then refund', () => {
  it('returns the wallet to its starting balance with one PaymentSucceeded and one PaymentRefunded of the same amount and id', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const charge = decided(state, stockReserved(450));
    state = applied(state, charge);
    const refund = decided(state, refundRequested);
    state = applied(state, refund);

    assert.deepEqual(
      [...(charge.events ?? []), ...(refund.events ?? [])],
      [
        { type: 'PaymentSucceeded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 450, paymentId: 'id-1' } },
        { type: 'PaymentRefunded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 450, paymentId: 'id-1', reason: 'refund_requested' } },
      ],
    );
    assert.deepEqual(state, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'id-1', customerId: 'cust-1', amount: 450, status: 'REFUNDED' },
    });
  });
});

// ---- CreditWallet ------------------------------------------------------------------------

describe('CreditWallet', () => {
  it('creates a wallet holding the amount when the customer has none', () => {
    spec
      .given({ wallet: undefined, payment: undefined })
      .when(creditWallet('cust-9', 500))
      .then({ changes: { wallet: { customerId: 'cust-9', balance: 500, credited: 500 } } });
  });

  it('adds the amount to both balance and credited when the wallet exists', () => {
    spec
      .given({ wallet: wallet(200, 1000), payment: undefined })
      .when(creditWallet('cust-1', 50))
      .then({ changes: { wallet: { customerId: 'cust-1', balance: 250, credited: 1050 } } });
  });

  it('lets a failed customer pay after a credit covers the total', () => {
    const state = applied({ wallet: undefined, payment: undefined }, decided({ wallet: undefined, payment: undefined }, creditWallet('cust-1', 300)));

    const decision = decided(state, stockReserved(300));

    assert.equal(decision.changes?.payment?.status, 'CAPTURED');
    assert.deepEqual(decision.changes?.wallet, { customerId: 'cust-1', balance: 0, credited: 300 });
  });
});

// ---- facts that contradict the payment row: mismatch ----------------------------------------

describe("an order's event naming another customer than the payment's (fact mismatch)", () => {
  /** The wallet of the customer who paid 300 (the store loads the payer's wallet, whoever the event names). */
  const payer: PaymentState = { wallet: wallet(700, 1000), payment: captured };
  const mallory = naming('mallory');

  it('refunds nothing on a RefundRequested naming another customer: a mismatch naming both', () => {
    // given cust-1 paid 300; when a RefundRequested names mallory; then nothing moves, into any wallet
    spec
      .given(payer)
      .when(mallory.refundRequested)
      .then({ mismatch: 'payment of order order-1 belongs to customer "cust-1", RefundRequested names "mallory"' });
  });

  it('refunds nothing on an OrderCancelled naming another customer', () => {
    spec
      .given(payer)
      .when(mallory.orderCancelled)
      .then({ mismatch: 'payment of order order-1 belongs to customer "cust-1", OrderCancelled names "mallory"' });
  });

  for (const status of ['FAILED', 'REFUNDED', 'VOIDED'] as const) {
    it(`is a mismatch whatever the payment's status (${status})`, () => {
      const payment: Payment = status === 'VOIDED' ? voided : { ...captured, status };

      assert.match(decided({ wallet: wallet(700, 1000), payment }, mallory.orderCancelled).mismatch ?? '', /belongs to customer "cust-1"/);
      assert.match(decided({ wallet: wallet(700, 1000), payment }, mallory.refundRequested).mismatch ?? '', /belongs to customer "cust-1"/);
    });
  }

  it("is a mismatch when a StockReserved names another customer than the cancellation's tombstone", () => {
    spec
      .given({ wallet: wallet(1000), payment: voided })
      .when(mallory.stockReserved)
      .then({ mismatch: 'payment of order order-1 belongs to customer "cust-1", StockReserved names "mallory"' });
  });

  it("refunds into the payer's wallet when the event names the payer", () => {
    const decision = decided(payer, naming('cust-1').refundRequested);

    assert.equal(decision.mismatch, undefined);
    assert.deepEqual(decision.changes?.wallet, { customerId: 'cust-1', balance: 1000, credited: 1000 });
  });

  it('leaves the tombstone under the customer the cancellation names when there is no payment yet (nothing to contradict)', () => {
    spec
      .given({ wallet: undefined, payment: undefined })
      .when(mallory.orderCancelled)
      .then({ changes: { payment: { ...voided, customerId: 'mallory', paymentId: 'id-1' } } });
  });
});

// ---- CreditWallet: the upper bound ---------------------------------------------------------

describe('CreditWallet past the wallet limit', () => {
  it(`credits up to exactly the limit (${MAX_WALLET_BALANCE})`, () => {
    spec
      .given({ wallet: wallet(MAX_WALLET_BALANCE - 50), payment: undefined })
      .when(creditWallet('cust-1', 50))
      .then({ changes: { wallet: { customerId: 'cust-1', balance: MAX_WALLET_BALANCE, credited: MAX_WALLET_BALANCE } } });
  });

  it('refuses, whole, a credit that would take the balance past the limit: a mismatch, nothing credited', () => {
    spec
      .given({ wallet: wallet(MAX_WALLET_BALANCE - 50), payment: undefined })
      .when(creditWallet('cust-1', 51))
      .then({
        mismatch: `wallet cust-1: a credit of 51 would take the balance from ${MAX_WALLET_BALANCE - 50} to ${MAX_WALLET_BALANCE + 1}, past the limit ${MAX_WALLET_BALANCE}`,
      });
  });

  it('accepts the largest credit the schema allows into an empty wallet; the schema refuses a larger one', () => {
    spec
      .given({ wallet: undefined, payment: undefined })
      .when(creditWallet('cust-9', MAX_WALLET_BALANCE))
      .then({ changes: { wallet: { customerId: 'cust-9', balance: MAX_WALLET_BALANCE, credited: MAX_WALLET_BALANCE } } });
    assert.throws(() => creditWallet('cust-9', MAX_WALLET_BALANCE + 1), /amount/);
  });

  it('never refuses a refund, even one that takes the balance past the limit (the money was the customer\'s)', () => {
    const decision = decided({ wallet: wallet(MAX_WALLET_BALANCE), payment: captured }, refundRequested);

    assert.equal(decision.changes?.wallet?.balance, MAX_WALLET_BALANCE + 300);
  });
});
