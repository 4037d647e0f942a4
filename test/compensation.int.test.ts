import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

/** An event as its producer would write it, published by the test to force an order. */
function event(producer: string, type: string, sagaId: string, data: unknown) {
  const id = randomUUID();
  return {
    subject: `evt.${producer}.${type}.${sagaId}`,
    body: JSON.stringify({ id, type, version: 1, sagaId, causationId: null, correlationId: id, occurredAt: new Date().toISOString(), producer, data }),
    id,
  };
}

describe('compensation that arrives before the step it undoes (barrier)', () => {
  let t: TestStack;
  const items = [{ sku: 'lime', quantity: 2, unitPrice: 300 }];

  before(async () => {
    t = await TestStack.start({ services: coreServices, serviceEnv: { inventory: { STOCK_RELEASE_DELAY_MS: '3000' } } });
    await t.send('SetStock', { sku: 'lime', quantity: 10 });
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

  it('inventory keeps a cancelled hold for STOCK_RELEASE_DELAY_MS, across a restart, then releases it', async () => {
    // given a customer who cannot pay
    await t.send('CreditWallet', { customerId: 'hank', amount: 100 });
    // when the order fails for funds
    await t.send('PlaceOrder', { orderId: 'delayed-1', customerId: 'hank', items });
    await waitFor(async () => (await t.sagaTypes('delayed-1')).includes('OrderCancelled') || undefined, { what: 'the cancellation' });
    // then a release timer is armed and the hold is still there
    await waitFor(() => t.count('inventory', "SELECT count(*) AS n FROM timers WHERE id = 'ReleaseHold:delayed-1'") === 1 || undefined, { what: 'the release timer' });
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'delayed-1'), [{ status: 'HELD' }]);
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
});
