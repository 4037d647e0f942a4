import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('the saga deadline', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({
      services: coreServices,
      serviceEnv: {
        order: { JETSAGA_ORDER_DEADLINE_MS: '1500' },
        // The first 3 deliveries of each OrderCancelled fail (retried after ~0.2, 0.4, 0.8 s), so
        // a payment restarted with both StockReserved and OrderCancelled waiting charges first:
        // the late success we must undo.
        payment: { JETSAGA_FAULTS: 'OrderCancelled:3' },
      },
    });
    await t.send('SetStock', { sku: 'date', quantity: 10 });
    await t.send('SetPrice', { sku: 'date', unitPrice: 500 });
    await t.send('CreditWallet', { customerId: 'ivan', amount: 10_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('cancels a PENDING order at its deadline, and refunds a charge that lands after it', async () => {
    // given payment is down
    await t.stack.service('payment').stop();
    // when an order waits on it past its deadline
    await t.send('PlaceOrder', { orderId: 'late-pay-1', customerId: 'ivan', items: [{ sku: 'date', quantity: 3, unitPrice: 500 }] });
    await waitFor(async () => (await t.sagaTypes('late-pay-1')).includes('StockReleased') || undefined, { what: 'timeout and release' });
    assert.deepEqual(t.rows('order', 'SELECT status, cancel_reason FROM orders WHERE order_id = ?', 'late-pay-1'), [{ status: 'CANCELLED', cancel_reason: 'timeout' }]);
    // and payment comes back late
    await t.stack.service('payment').start();
    // then it charges, then refunds; the order never becomes CONFIRMED
    const events = await waitFor(async () => {
      const e = await t.sagaEvents('late-pay-1');
      return e.some((x) => x.envelope.type === 'PaymentRefunded') ? e : undefined;
    }, { what: 'the refund' });
    const types = events.map((e) => e.envelope.type);
    assert.deepEqual(types.slice(0, 2), ['OrderCreated', 'StockReserved']);
    assert.deepEqual(new Set(types.slice(2, 4)), new Set(['OrderCancelled', 'StockReleased']));
    assert.deepEqual(types.slice(4), ['PaymentSucceeded', 'PaymentRefunded']);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'late-pay-1'), [{ status: 'CANCELLED' }]);
    assert.deepEqual(t.rows('payment', 'SELECT status, amount FROM payments WHERE order_id = ?', 'late-pay-1'), [{ status: 'REFUNDED', amount: 1500 }]);
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'ivan'), [{ balance: 10_000 }]);
    assert.deepEqual(t.rows('inventory', 'SELECT available, held, sold FROM stock WHERE sku = ?', 'date'), [{ available: 10, held: 0, sold: 0 }]);
    await assertInvariants(t);
  });

  it('fires a deadline armed before the order service was killed', async () => {
    // given inventory is down, so the saga cannot progress
    await t.stack.service('inventory').stop();
    await t.send('PlaceOrder', { orderId: 'deadline-restart-1', customerId: 'ivan', items: [{ sku: 'date', quantity: 1, unitPrice: 500 }] });
    await t.waitForSagaEvents('deadline-restart-1', 1);
    // when the order service dies and comes back
    await t.stack.service('order').kill();
    await t.stack.service('order').start();
    // then its deadline still fires
    const events = await t.waitForSagaEvents('deadline-restart-1', 2);
    assert.equal(events[1]!.envelope.type, 'OrderCancelled');
    assert.equal((events[1]!.envelope.data as { reason: string }).reason, 'timeout');
    // caused, like OrderCreated, by the PlaceOrder that armed the timer
    assert.equal(events[1]!.envelope.causationId, events[0]!.envelope.causationId);
    await t.stack.service('inventory').start();
    await assertInvariants(t);
  });
});
