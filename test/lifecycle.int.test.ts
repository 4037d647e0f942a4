import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStack } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('service lifecycle', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start();
    await t.send('SetStock', { sku: 'kiwi', quantity: 5 });
    await t.send('CreditWallet', { customerId: 'dave', amount: 5_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('exits 0 on SIGTERM, and a saga waiting on it resumes when it starts again', async () => {
    // given inventory stopped gracefully
    const code = await t.stack.service('inventory').stop();
    assert.equal(code, 0, 'inventory exits cleanly on SIGTERM');

    // when an order is placed while it is down
    await t.send('PlaceOrder', { orderId: 'while-down-1', customerId: 'dave', items: [{ sku: 'kiwi', quantity: 1, unitPrice: 400 }] });
    await t.waitForSagaEvents('while-down-1', 1);
    assert.deepEqual(await t.sagaTypes('while-down-1'), ['OrderCreated'], 'the saga waits for inventory');

    // then, once inventory is back, the saga completes from where it stood
    await t.stack.service('inventory').start();
    const events = await t.waitForSagaEvents('while-down-1', 5);
    assert.deepEqual(
      events.map((e) => e.envelope.type),
      ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'],
    );
    await assertInvariants(t);
  });

  it('keeps its state across a SIGKILL and restart', async () => {
    // given a confirmed order
    await t.send('PlaceOrder', { orderId: 'before-kill-1', customerId: 'dave', items: [{ sku: 'kiwi', quantity: 1, unitPrice: 400 }] });
    await t.waitForSagaEvents('before-kill-1', 5);
    await t.waitForQuiescence();
    const balance = t.rows('payment', 'SELECT balance FROM wallets');
    // when payment is killed and restarted
    await t.stack.service('payment').kill();
    await t.stack.service('payment').start();
    await t.waitForQuiescence();
    // then nothing was charged again, and it still serves new sagas
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets'), balance);
    await t.send('PlaceOrder', { orderId: 'after-kill-1', customerId: 'dave', items: [{ sku: 'kiwi', quantity: 1, unitPrice: 400 }] });
    const events = await t.waitForSagaEvents('after-kill-1', 5);
    assert.equal(events.at(-1)!.envelope.type, 'StockCommitted');
    await assertInvariants(t);
  });
});
