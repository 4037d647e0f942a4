import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { coreServices, subjectOfEvent, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

/** An event as its producer would write it, published by the test to force an order. */
function event(producer: string, type: string, sagaId: string, data: unknown) {
  const id = randomUUID();
  return {
    subject: subjectOfEvent(producer, type, sagaId, data),
    body: JSON.stringify({ id, type, version: 1, sagaId, causationId: null, correlationId: id, occurredAt: new Date().toISOString(), producer, data }),
    id,
  };
}

describe('compensation that arrives before the step it undoes (barrier)', () => {
  let t: TestStack;
  const items = [{ sku: 'lime', quantity: 2, unitPrice: 300 }];

  before(async () => {
    t = await TestStack.start({ services: coreServices, serviceEnv: { inventory: { JETSAGA_STOCK_RELEASE_DELAY_MS: '3000' } } });
    await t.send('SetStock', { sku: 'lime', quantity: 10 });
    await t.send('SetPrice', { sku: 'lime', unitPrice: 300 });
    await t.send('CreditWallet', { customerId: 'gina', amount: 10_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  async function publishInOrder(...events: ReturnType<typeof event>[]) {
    for (const e of events) {
      await t.publishRaw(e.subject, e.body, e.id);
      await t.waitForQuiescence();
    }
  }

  it('inventory: OrderCancelled before OrderCreated leaves a tombstone, and the late OrderCreated holds nothing', async () => {
    // given / when
    const summary = { orderId: 'early-cancel-1', customerId: 'gina', items, total: 600 };
    const cancelled = event('order', 'OrderCancelled', 'early-cancel-1', { ...summary, reason: 'timeout' });
    const created = event('order', 'OrderCreated', 'early-cancel-1', summary);
    // the late step, then a redelivery of it (a new Nats-Msg-Id gets past the broker's dedupe)
    await publishInOrder(cancelled, created, { ...created, id: `again-${created.id}` });
    // then
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'early-cancel-1'), [{ status: 'CANCELLED' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT available, held FROM stock WHERE sku = ?', 'lime'), [{ available: 10, held: 0 }]);
    assert.deepEqual(await t.sagaTypes('early-cancel-1'), ['OrderCancelled', 'OrderCreated', 'OrderCreated']);
    await assertInvariants(t);
  });

  it('payment: OrderCancelled before StockReserved voids the payment, and the late StockReserved charges nothing', async () => {
    // given / when
    const summary = { orderId: 'early-cancel-2', customerId: 'gina', items, total: 600 };
    const cancelled = event('order', 'OrderCancelled', 'early-cancel-2', { ...summary, reason: 'timeout' });
    const reserved = event('inventory', 'StockReserved', 'early-cancel-2', summary);
    const balance = t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'gina');
    await publishInOrder(cancelled, reserved);
    // then
    assert.deepEqual(t.rows('payment', 'SELECT status FROM payments WHERE order_id = ?', 'early-cancel-2'), [{ status: 'VOIDED' }]);
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'gina'), balance);
    assert.deepEqual(await t.sagaTypes('early-cancel-2'), ['OrderCancelled', 'StockReserved']);
    await assertInvariants(t);
  });

  it('inventory keeps a cancelled hold for JETSAGA_STOCK_RELEASE_DELAY_MS, across a restart, then releases it', async () => {
    // given a customer who cannot pay
    await t.send('CreditWallet', { customerId: 'hank', amount: 100 });
    // when the order fails for funds
    await t.send('PlaceOrder', { orderId: 'delayed-1', customerId: 'hank', items });
    await waitFor(async () => (await t.sagaTypes('delayed-1')).includes('OrderCancelled') || undefined, { what: 'the cancellation' });
    // then a release timer is armed and the hold is kept for the customer
    await waitFor(() => t.count('inventory', "SELECT count(*) AS n FROM timers WHERE id = 'ReleaseHold:delayed-1'") === 1 || undefined, { what: 'the release timer' });
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'delayed-1'), [{ status: 'RELEASING' }]);
    // and the delay survives a crash
    await t.stack.service('inventory').kill();
    await t.stack.service('inventory').start();
    const events = await t.waitForSagaEvents('delayed-1', 5);
    assert.deepEqual(new Set(events.map((e) => e.envelope.type)), new Set(['OrderCreated', 'StockReserved', 'PaymentFailed', 'OrderCancelled', 'StockReleased']));
    const released = events.find((e) => e.envelope.type === 'StockReleased')!;
    const cancelledAt = events.find((e) => e.envelope.type === 'PaymentFailed')!.storedAt.getTime();
    assert.ok(released.storedAt.getTime() - cancelledAt >= 3000, 'released no sooner than the delay');
    const compensations = events.filter((e) => e.envelope.type === 'PaymentFailed' || e.envelope.type === 'OrderCancelled').map((e) => e.envelope.id);
    assert.ok(compensations.includes(released.envelope.causationId!), 'caused by the compensation that armed the timer');
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'delayed-1'), [{ status: 'RELEASED' }]);
    await assertInvariants(t);
  });

  it("a customer's re-order takes their kept hold, all of it or part of it, and the timer releases only what is left", async () => {
    const kiwi = (quantity: number, unitPrice = 300) => [{ sku: 'kiwi', quantity, unitPrice }];
    const reservation = (orderId: string) => t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', orderId)[0];
    const kiwiStock = () => t.rows('inventory', 'SELECT available, held, sold FROM stock WHERE sku = ?', 'kiwi')[0];
    const outcome = async (orderId: string, type: string) => waitFor(async () => (await t.sagaTypes(orderId)).includes(type) || undefined, { what: `${orderId}: ${type}` });
    await t.send('SetStock', { sku: 'kiwi', quantity: 5 });
    await t.send('SetPrice', { sku: 'kiwi', unitPrice: 300 });
    await t.send('CreditWallet', { customerId: 'ivy', amount: 100 });
    await t.waitForQuiescence();

    // given ivy's order of 2 kiwis failed for funds, so its hold is kept for her
    await t.send('PlaceOrder', { orderId: 'kept-1', customerId: 'ivy', items: kiwi(2) });
    await waitFor(() => reservation('kept-1')?.status === 'RELEASING' || undefined, { what: 'the kept hold' });
    assert.deepEqual(kiwiStock(), { available: 3, held: 2, sold: 0 });

    // when another customer asks for 4: the kept 2 are not theirs
    await t.send('PlaceOrder', { orderId: 'kept-other', customerId: 'gina', items: kiwi(4) });
    await outcome('kept-other', 'StockReservationFailed');

    // and ivy, now funded, re-orders 2 at once
    await t.send('CreditWallet', { customerId: 'ivy', amount: 10_000 });
    await t.send('PlaceOrder', { orderId: 'kept-2', customerId: 'ivy', items: kiwi(2) });
    await outcome('kept-2', 'StockCommitted');

    // then the re-order took the whole kept hold, and no available stock
    assert.equal(reservation('kept-1')?.status, 'TRANSFERRED');
    assert.deepEqual(kiwiStock(), { available: 3, held: 0, sold: 2 });
    const transferred = (await t.sagaEvents('kept-1')).find((e) => e.envelope.type === 'StockHoldTransferred');
    assert.deepEqual(transferred?.envelope.data, { orderId: 'kept-1', toOrderId: 'kept-2', items: [{ sku: 'kiwi', quantity: 2 }], remaining: [] });
    assert.deepEqual(t.rows('inventory', 'SELECT from_order_id, to_order_id, sku, quantity FROM hold_transfers WHERE from_order_id = ?', 'kept-1'), [
      { from_order_id: 'kept-1', to_order_id: 'kept-2', sku: 'kiwi', quantity: 2 },
    ]);

    // given kiwis now cost 50.00, so her next order of 3 costs more than she has, and 3 are kept
    await t.send('SetPrice', { sku: 'kiwi', unitPrice: 5_000 });
    await t.waitForQuiescence();
    await t.send('PlaceOrder', { orderId: 'kept-3', customerId: 'ivy', items: kiwi(3, 5_000) });
    await waitFor(() => reservation('kept-3')?.status === 'RELEASING' || undefined, { what: 'the second kept hold' });
    // when she re-orders just 1
    await t.send('PlaceOrder', { orderId: 'kept-4', customerId: 'ivy', items: kiwi(1, 5_000) });
    await outcome('kept-4', 'StockCommitted');
    // then 1 moved to it and the timer releases the other 2
    await outcome('kept-3', 'StockReleased');
    const events = await t.sagaEvents('kept-3');
    assert.deepEqual(events.find((e) => e.envelope.type === 'StockHoldTransferred')?.envelope.data, {
      orderId: 'kept-3',
      toOrderId: 'kept-4',
      items: [{ sku: 'kiwi', quantity: 1 }],
      remaining: [{ sku: 'kiwi', quantity: 2 }],
    });
    // (the reason is that of whichever compensation reached inventory first)
    const { reason, ...released } = events.find((e) => e.envelope.type === 'StockReleased')!.envelope.data as { reason: string };
    assert.deepEqual(released, { orderId: 'kept-3', items: [{ sku: 'kiwi', quantity: 2 }] });
    assert.ok(['payment_failed', 'order_cancelled'].includes(reason), reason);
    assert.equal(reservation('kept-3')?.status, 'RELEASED');
    assert.deepEqual(kiwiStock(), { available: 2, held: 0, sold: 3 });
    await t.waitForQuiescence();
    await assertInvariants(t);
  });
});
