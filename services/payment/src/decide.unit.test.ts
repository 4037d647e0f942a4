import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CancelReason, OrderCancelledData, StockReservedData } from '@jetsaga/events';
import { decideCancel, decideCharge, decideCredit, decideRefund, type Payment, type PaymentState, type Wallet } from './decide.js';

// ---- given helpers ------------------------------------------------------------------

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

function applied(state: PaymentState, decision: { wallet?: Wallet; payment?: Payment }): PaymentState {
  return { wallet: decision.wallet ?? state.wallet, payment: decision.payment ?? state.payment };
}

// ---- decideCharge --------------------------------------------------------------------

describe('decideCharge', () => {
  it('captures the total and lowers the balance when the wallet covers it', () => {
    // given a wallet with 1000
    const state: PaymentState = { wallet: wallet(1000), payment: undefined };

    // when stock for a 300 order is reserved
    const decision = decideCharge(state, reserved(300), 'pay-1');

    // then 300 is captured and PaymentSucceeded is emitted
    assert.deepEqual(decision, {
      wallet: { customerId: 'cust-1', balance: 700, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 300, status: 'CAPTURED' },
      events: [{ type: 'PaymentSucceeded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-1' } }],
    });
  });

  it('captures the total when the balance is exactly the total, leaving 0', () => {
    const state: PaymentState = { wallet: wallet(300), payment: undefined };

    const decision = decideCharge(state, reserved(300), 'pay-1');

    assert.deepEqual(decision, {
      wallet: { customerId: 'cust-1', balance: 0, credited: 300 },
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 300, status: 'CAPTURED' },
      events: [{ type: 'PaymentSucceeded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-1' } }],
    });
  });

  it('fails with the current balance and leaves the wallet alone when the balance is one short', () => {
    const state: PaymentState = { wallet: wallet(299, 500), payment: undefined };

    const decision = decideCharge(state, reserved(300), 'pay-1');

    assert.deepEqual(decision, {
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 300, status: 'FAILED' },
      events: [
        {
          type: 'PaymentFailed',
          data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, reason: 'insufficient_funds', balance: 299 },
        },
      ],
    });
    assert.equal(decision.wallet, undefined);
  });

  it('fails with balance 0 when the customer has no wallet', () => {
    const state: PaymentState = { wallet: undefined, payment: undefined };

    const decision = decideCharge(state, reserved(300), 'pay-1');

    assert.deepEqual(decision, {
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 300, status: 'FAILED' },
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

    assert.deepEqual(decideCharge(state, reserved(300), 'pay-2'), { events: [] });
  });

  it('then nothing happens when the order already failed to pay, even after a credit', () => {
    const failed: Payment = { ...captured, status: 'FAILED' };
    const state: PaymentState = { wallet: wallet(5000), payment: failed };

    assert.deepEqual(decideCharge(state, reserved(300), 'pay-2'), { events: [] });
  });

  it('then nothing happens when the order was already refunded', () => {
    const state: PaymentState = { wallet: wallet(1000), payment: { ...captured, status: 'REFUNDED' } };

    assert.deepEqual(decideCharge(state, reserved(300), 'pay-2'), { events: [] });
  });

  it('charges nothing when the order was cancelled before payment was tried (VOIDED tombstone)', () => {
    // given the cancellation came first and left a tombstone
    const state: PaymentState = { wallet: wallet(1000), payment: voided };

    // when the late StockReserved arrives
    const decision = decideCharge(state, reserved(300), 'pay-2');

    // then nothing is charged and nothing is emitted
    assert.deepEqual(decision, { events: [] });
  });

  it('charges once: applying the decision and redelivering the event changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const first = decideCharge(state, reserved(300), 'pay-1');
    state = { wallet: first.wallet ?? state.wallet, payment: first.payment ?? state.payment };
    const second = decideCharge(state, reserved(300), 'pay-2');

    assert.deepEqual(second, { events: [] });
    assert.deepEqual(state.wallet, { customerId: 'cust-1', balance: 700, credited: 1000 });
  });
});

// ---- decideCancel --------------------------------------------------------------------

describe('decideCancel', () => {
  it('refunds a CAPTURED payment to the wallet and emits PaymentRefunded with the original paymentId', () => {
    // given 300 was captured from a wallet now holding 700
    const state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    // when the order is cancelled
    const decision = decideCancel(state, cancelled(300), 'pay-new');

    // then the 300 goes back and the payment is REFUNDED
    assert.deepEqual(decision, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'pay-0', customerId: 'cust-1', amount: 300, status: 'REFUNDED' },
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

    const decision = decideCancel(state, cancelled(999), 'pay-new');

    assert.deepEqual(decision.wallet, { customerId: 'cust-1', balance: 300, credited: 300 });
    assert.deepEqual(decision.events.map((e) => e.data), [
      { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId: 'pay-0', reason: 'order_cancelled' },
    ]);
  });

  it('refunds into a fresh wallet when the captured payment has no wallet loaded', () => {
    const state: PaymentState = { wallet: undefined, payment: captured };

    const decision = decideCancel(state, cancelled(300), 'pay-new');

    assert.deepEqual(decision.wallet, { customerId: 'cust-1', balance: 300, credited: 0 });
    assert.equal(decision.payment?.status, 'REFUNDED');
  });

  for (const reason of ['out_of_stock', 'payment_failed', 'timeout'] as const) {
    it(`leaves a VOIDED tombstone of amount 0, with no event, when the order is cancelled (${reason}) before any payment`, () => {
      // given no payment yet
      const state: PaymentState = { wallet: wallet(1000), payment: undefined };

      // when the cancellation arrives first
      const decision = decideCancel(state, cancelled(300, reason), 'pay-v');

      // then only the tombstone is recorded; the wallet is untouched
      assert.deepEqual(decision, { payment: voided, events: [] });
    });
  }

  for (const status of ['FAILED', 'REFUNDED', 'VOIDED'] as const) {
    it(`then nothing happens when the payment is ${status}`, () => {
      const payment: Payment = status === 'VOIDED' ? voided : { ...captured, status };
      const state: PaymentState = { wallet: wallet(700, 1000), payment };

      assert.deepEqual(decideCancel(state, cancelled(300), 'pay-new'), { events: [] });
    });
  }

  it('refunds once: applying the decision and redelivering the cancellation changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decideCancel(state, cancelled(300), 'pay-1'));
    const second = decideCancel(state, cancelled(300), 'pay-2');

    assert.deepEqual(second, { events: [] });
    assert.deepEqual(state.wallet, { customerId: 'cust-1', balance: 1000, credited: 1000 });
  });
});

describe('charge and cancel in either order', () => {
  it('returns the wallet to its starting balance when the charge lands before the cancellation', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const charge = decideCharge(state, reserved(300), 'pay-1');
    state = applied(state, charge);
    const refund = decideCancel(state, cancelled(300), 'pay-2');
    state = applied(state, refund);

    assert.deepEqual([...charge.events, ...refund.events].map((e) => e.type), ['PaymentSucceeded', 'PaymentRefunded']);
    assert.deepEqual(state, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 300, status: 'REFUNDED' },
    });
  });

  it('never charges when the cancellation lands before the charge', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const cancel = decideCancel(state, cancelled(300), 'pay-1');
    state = applied(state, cancel);
    const charge = decideCharge(state, reserved(300), 'pay-2');
    state = applied(state, charge);

    assert.deepEqual([...cancel.events, ...charge.events], []);
    assert.deepEqual(state, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 0, status: 'VOIDED' },
    });
  });
});

// ---- decideRefund --------------------------------------------------------------------

describe('decideRefund', () => {
  it('gives a CAPTURED payment back to the wallet and emits PaymentRefunded with reason refund_requested and the original paymentId', () => {
    // given 300 was captured from a wallet now holding 700
    const state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    // when a refund of the confirmed order is requested
    const decision = decideRefund(state);

    // then the 300 goes back, credited stays, and the payment is REFUNDED
    assert.deepEqual(decision, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'pay-0', customerId: 'cust-1', amount: 300, status: 'REFUNDED' },
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

    const decision = decideRefund(state);

    assert.deepEqual(decision, {
      wallet: { customerId: 'cust-1', balance: 300, credited: 0 },
      payment: { ...captured, status: 'REFUNDED' },
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

      assert.deepEqual(decideRefund(state), { events: [] });
    });
  }

  it('then nothing happens, and no tombstone is left, when the order has no payment', () => {
    const state: PaymentState = { wallet: wallet(1000), payment: undefined };

    assert.deepEqual(decideRefund(state), { events: [] });
  });

  it('refunds once: applying the decision and redelivering RefundRequested changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decideRefund(state));
    const second = decideRefund(state);

    assert.deepEqual(second, { events: [] });
    assert.deepEqual(state, { wallet: wallet(1000), payment: { ...captured, status: 'REFUNDED' } });
  });

  it('then nothing happens when a cancellation arrives after the refund', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decideRefund(state));

    assert.deepEqual(decideCancel(state, cancelled(300), 'pay-new'), { events: [] });
  });

  it('then nothing happens when a refund request arrives after the cancellation refunded the charge', () => {
    let state: PaymentState = { wallet: wallet(700, 1000), payment: captured };

    state = applied(state, decideCancel(state, cancelled(300), 'pay-new'));

    assert.deepEqual(decideRefund(state), { events: [] });
    assert.deepEqual(state.wallet, wallet(1000));
  });
});

describe('charge then refund', () => {
  it('returns the wallet to its starting balance with one PaymentSucceeded and one PaymentRefunded of the same amount and id', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const charge = decideCharge(state, reserved(450), 'pay-1');
    state = applied(state, charge);
    const refund = decideRefund(state);
    state = applied(state, refund);

    assert.deepEqual([...charge.events, ...refund.events], [
      { type: 'PaymentSucceeded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 450, paymentId: 'pay-1' } },
      { type: 'PaymentRefunded', data: { orderId: 'order-1', customerId: 'cust-1', amount: 450, paymentId: 'pay-1', reason: 'refund_requested' } },
    ]);
    assert.deepEqual(state, {
      wallet: { customerId: 'cust-1', balance: 1000, credited: 1000 },
      payment: { orderId: 'order-1', paymentId: 'pay-1', customerId: 'cust-1', amount: 450, status: 'REFUNDED' },
    });
  });
});

// ---- decideCredit --------------------------------------------------------------------

describe('decideCredit', () => {
  it('creates a wallet holding the amount when the customer has none', () => {
    assert.deepEqual(decideCredit(undefined, { customerId: 'cust-9', amount: 500 }), {
      customerId: 'cust-9',
      balance: 500,
      credited: 500,
    });
  });

  it('adds the amount to both balance and credited when the wallet exists', () => {
    assert.deepEqual(decideCredit(wallet(200, 1000), { customerId: 'cust-1', amount: 50 }), {
      customerId: 'cust-1',
      balance: 250,
      credited: 1050,
    });
  });

  it('lets a failed customer pay after a credit covers the total', () => {
    const credited = decideCredit(undefined, { customerId: 'cust-1', amount: 300 });

    const decision = decideCharge({ wallet: credited, payment: undefined }, reserved(300), 'pay-1');

    assert.equal(decision.payment?.status, 'CAPTURED');
    assert.deepEqual(decision.wallet, { customerId: 'cust-1', balance: 0, credited: 300 });
  });
});
