import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StockReservedData } from '@jetsaga/events';
import { decideCharge, decideCredit, type Payment, type PaymentState, type Wallet } from './decide.js';

// ---- given helpers ------------------------------------------------------------------

function reserved(total: number): StockReservedData {
  return { orderId: 'order-1', customerId: 'cust-1', items: [{ sku: 'apple', quantity: 1, unitPrice: total }], total };
}

function wallet(balance: number, credited = balance): Wallet {
  return { customerId: 'cust-1', balance, credited };
}

const captured: Payment = { orderId: 'order-1', paymentId: 'pay-0', customerId: 'cust-1', amount: 300, status: 'CAPTURED' };

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

  it('charges once: applying the decision and redelivering the event changes nothing more', () => {
    let state: PaymentState = { wallet: wallet(1000), payment: undefined };

    const first = decideCharge(state, reserved(300), 'pay-1');
    state = { wallet: first.wallet ?? state.wallet, payment: first.payment ?? state.payment };
    const second = decideCharge(state, reserved(300), 'pay-2');

    assert.deepEqual(second, { events: [] });
    assert.deepEqual(state.wallet, { customerId: 'cust-1', balance: 700, credited: 1000 });
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
