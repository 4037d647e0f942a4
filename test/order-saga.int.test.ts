import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';
import { assertCausalChain } from './support/assertions.js';

describe('the order saga across order, inventory and payment processes', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ services: coreServices });
    await t.send('SetStock', { sku: 'apple', quantity: 10 });
    await t.send('SetPrice', { sku: 'apple', unitPrice: 1500 });
    await t.send('SetStock', { sku: 'pear', quantity: 3 });
    await t.send('SetPrice', { sku: 'pear', unitPrice: 700 });
    await t.send('CreditWallet', { customerId: 'alice', amount: 10_000 });
    await t.send('CreditWallet', { customerId: 'bob', amount: 500 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('confirms an order when stock is held and payment captured, then commits the hold', async () => {
    // given apple 10, pear 3 and alice's 10000 (seeded above)
    // when
    await t.send('PlaceOrder', {
      orderId: 'happy-1',
      customerId: 'alice',
      items: [
        { sku: 'apple', quantity: 2, unitPrice: 1500 },
        { sku: 'pear', quantity: 1, unitPrice: 700 },
      ],
    });
    // then
    const events = await t.waitForSagaEvents('happy-1', 5);
    assert.deepEqual(
      events.map((e) => e.envelope.type),
      ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'],
    );
    assertCausalChain(events.map((e) => e.envelope));
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, total, cancel_reason FROM orders WHERE order_id = ?', 'happy-1'), [
      { status: 'CONFIRMED', total: 3700, cancel_reason: null },
    ]);
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'happy-1'), [{ status: 'COMMITTED' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT sku, available, held, sold, received FROM stock ORDER BY sku'), [
      { sku: 'apple', available: 8, held: 0, sold: 2, received: 10 },
      { sku: 'pear', available: 2, held: 0, sold: 1, received: 3 },
    ]);
    assert.deepEqual(t.rows('payment', 'SELECT balance, credited FROM wallets WHERE customer_id = ?', 'alice'), [{ balance: 6300, credited: 10_000 }]);
    assert.deepEqual(t.rows('payment', 'SELECT status, amount FROM payments WHERE order_id = ?', 'happy-1'), [{ status: 'CAPTURED', amount: 3700 }]);
    assert.equal(t.count('order', "SELECT count(*) AS n FROM timers WHERE id = 'OrderDeadline:happy-1' AND fired_at IS NULL"), 0, 'the deadline is disarmed');
    await assertInvariants(t);
  });

  it('cancels an order when any item is short, holding nothing and charging nothing', async () => {
    // given pear has 2 left
    const stockBefore = t.rows('inventory', 'SELECT sku, available, held, sold FROM stock ORDER BY sku');
    const walletBefore = t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'alice');
    // when apple is available but pear is not
    await t.send('PlaceOrder', {
      orderId: 'no-stock-1',
      customerId: 'alice',
      items: [
        { sku: 'apple', quantity: 1, unitPrice: 1500 },
        { sku: 'pear', quantity: 5, unitPrice: 700 },
      ],
    });
    // then
    const events = await t.waitForSagaEvents('no-stock-1', 3);
    assert.deepEqual(
      events.map((e) => e.envelope.type),
      ['OrderCreated', 'StockReservationFailed', 'OrderCancelled'],
    );
    assertCausalChain(events.map((e) => e.envelope));
    assert.deepEqual(events[1]!.envelope.data, { orderId: 'no-stock-1', reason: 'out_of_stock', shortages: [{ sku: 'pear', requested: 5, available: 2 }] });
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, cancel_reason FROM orders WHERE order_id = ?', 'no-stock-1'), [
      { status: 'CANCELLED', cancel_reason: 'out_of_stock' },
    ]);
    assert.deepEqual(t.rows('inventory', 'SELECT sku, available, held, sold FROM stock ORDER BY sku'), stockBefore);
    assert.equal(t.count('inventory', 'SELECT count(*) AS n FROM reservation_lines WHERE order_id = ?', 'no-stock-1'), 0);
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'alice'), walletBefore);
    // payment never charged; the cancellation left its tombstone, so a late StockReserved would do nothing
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('payment', 'SELECT status, amount FROM payments WHERE order_id = ?', 'no-stock-1'), [{ status: 'VOIDED', amount: 0 }]);
    await assertInvariants(t);
  });

  it('releases the hold and cancels the order when the wallet cannot pay', async () => {
    // given bob has 500
    const stockBefore = t.rows('inventory', 'SELECT sku, available, held, sold FROM stock ORDER BY sku');
    // when bob orders for 1500
    await t.send('PlaceOrder', { orderId: 'no-funds-1', customerId: 'bob', items: [{ sku: 'apple', quantity: 1, unitPrice: 1500 }] });
    // then
    const events = await t.waitForSagaEvents('no-funds-1', 5);
    const types = events.map((e) => e.envelope.type);
    assert.deepEqual(types.slice(0, 3), ['OrderCreated', 'StockReserved', 'PaymentFailed']);
    // Inventory and order both react to PaymentFailed; their events may land in either order.
    assert.deepEqual(new Set(types.slice(3)), new Set(['StockReleased', 'OrderCancelled']));
    assertCausalChain(events.map((e) => e.envelope));
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, cancel_reason FROM orders WHERE order_id = ?', 'no-funds-1'), [
      { status: 'CANCELLED', cancel_reason: 'payment_failed' },
    ]);
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'no-funds-1'), [{ status: 'RELEASED' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT sku, available, held, sold FROM stock ORDER BY sku'), stockBefore);
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'bob'), [{ balance: 500 }]);
    assert.deepEqual(t.rows('payment', 'SELECT status FROM payments WHERE order_id = ?', 'no-funds-1'), [{ status: 'FAILED' }]);
    await assertInvariants(t);
  });
});
