import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscriptionsOf } from './subscriptions.js';

describe('subscriptions of a service run once per instance', () => {
  it('names consumers after the instance, takes commands on its own subject, and events of an instanced producer from every instance', () => {
    assert.deepEqual(subscriptionsOf('bank-a', ['Deposit', 'TransferRequested']), [
      { type: 'Deposit', stream: 'COMMANDS', durable: 'bank-a-Deposit', filterSubject: 'cmd.bank-a.Deposit.>' },
      { type: 'TransferRequested', stream: 'EVENTS', durable: 'bank-a-TransferRequested', filterSubject: 'evt.transfer.TransferRequested.>' },
    ]);
    assert.deepEqual(subscriptionsOf('transfer', ['FundsFrozen']), [{ type: 'FundsFrozen', stream: 'EVENTS', durable: 'transfer-FundsFrozen', filterSubject: 'evt.*.FundsFrozen.>' }]);
  });

  it('gives each partition its own durables, taking what the broker mapped to it: by the saga token or by the key token', () => {
    const p1 = { partition: { index: 1, count: 2 } };
    assert.deepEqual(subscriptionsOf('order', ['PlaceOrder', 'PaymentSucceeded'], { ...p1, by: 'saga' }), [
      { type: 'PlaceOrder', stream: 'COMMANDS', durable: 'order-p1-PlaceOrder', filterSubject: 'cmd.order.PlaceOrder.*.1' },
      { type: 'PaymentSucceeded', stream: 'EVENTS', durable: 'order-p1-PaymentSucceeded', filterSubject: 'evt.payment.PaymentSucceeded.*.*.1.*' },
    ]);
    assert.deepEqual(subscriptionsOf('payment', ['CreditWallet', 'StockReserved'], { ...p1, by: 'key' }), [
      { type: 'CreditWallet', stream: 'COMMANDS', durable: 'payment-p1-CreditWallet', filterSubject: 'cmd.payment.CreditWallet.*.1' },
      { type: 'StockReserved', stream: 'EVENTS', durable: 'payment-p1-StockReserved', filterSubject: 'evt.inventory.StockReserved.*.*.*.1' },
    ]);
  });

  it('refuses a command addressed to another service, and a name that is no service', () => {
    assert.throws(() => subscriptionsOf('transfer', ['Deposit']), /transfer cannot handle Deposit: that command is addressed to bank/);
    assert.throws(() => subscriptionsOf('bank', ['Deposit']), /"bank" is not a service name/);
  });
});
