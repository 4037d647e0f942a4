import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

function envelope(type: string, sagaId: string | null, data: unknown, version = 1) {
  return { id: randomUUID(), type, version, sagaId, causationId: null, correlationId: null, occurredAt: new Date().toISOString(), producer: 'test', data };
}

describe('poison messages', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({
      services: coreServices,
      env: { JETSAGA_MAX_DELIVER: '3', JETSAGA_ORDER_DEADLINE_MS: '2500' },
      // inventory's OrderCreated handler is broken for good
      serviceEnv: { inventory: { JETSAGA_FAULTS: 'OrderCreated:always' } },
    });
  });
  after(() => t?.stop());

  it('dead-letters a message whose handler always fails after maxDeliver, intact, and the saga still ends', async () => {
    // given
    await t.send('CreditWallet', { customerId: 'frank', amount: 5_000 });
    // when
    const placed = await t.send('PlaceOrder', { orderId: 'poison-1', customerId: 'frank', items: [{ sku: 'fig', quantity: 1, unitPrice: 100 }] });
    // then the OrderCreated lands in the DLQ after 3 deliveries, byte for byte
    const [created] = await t.waitForSagaEvents('poison-1', 1);
    const [letter] = await waitFor(async () => {
      const letters = await t.deadLetters('dlq.inventory.OrderCreated');
      return letters.length > 0 ? letters : undefined;
    }, { timeoutMs: 15_000, what: 'the dead letter' });
    assert.equal(letter!.reason, 'handler_failed');
    assert.match(letter!.error, /injected fault: OrderCreated delivery 3/);
    assert.equal(letter!.deliveries, 3);
    assert.equal(letter!.consumer, 'inventory-OrderCreated');
    assert.equal(letter!.originalSubject, 'evt.order.OrderCreated.poison-1.frank');
    assert.equal(letter!.originalSeq, created!.streamSeq);
    assert.equal(letter!.headers.traceparent, created!.headers.traceparent);
    assert.deepEqual(JSON.parse(Buffer.from(letter!.data).toString()), created!.envelope);
    // the log line is written after the DLQ publish and reaches us through a pipe
    const logged = await waitFor(() => t.logsOf('inventory', 'message dead-lettered').find((l) => l.sagaId === 'poison-1'), { what: 'the dead-letter log line' });
    assert.equal(logged.level, 50, 'logged at error level with the saga id');
    // and the order's deadline still ends the saga
    const events = await t.waitForSagaEvents('poison-1', 2);
    assert.equal(events[1]!.envelope.type, 'OrderCancelled');
    assert.deepEqual(events[1]!.envelope.data, { orderId: 'poison-1', customerId: 'frank', items: placed.data.items, total: 100, reason: 'timeout' });
    await assertInvariants(t);
  });

  it('dead-letters each kind of bad input at once with a precise reason, and keeps consuming', async () => {
    // when every kind of bad input reaches order's PlaceOrder consumer
    const big = envelope('PlaceOrder', 'big-1', { orderId: 'big-1', customerId: 'x', items: [{ sku: 'a', quantity: 1, unitPrice: 1 }], pad: 'x'.repeat(300_000) });
    const bad: [string, string | Uint8Array][] = [
      ['malformed_json', '{"id": "1", "type": '],
      ['malformed_json', new Uint8Array([0xff, 0xfe, 0x00])],
      ['invalid_envelope', JSON.stringify({ id: 'no-type', data: {} })],
      ['unknown_type', JSON.stringify(envelope('PlaceOrders', null, {}))],
      ['unknown_version', JSON.stringify(envelope('PlaceOrder', 'v9-1', { orderId: 'v9-1', customerId: 'x', items: [] }, 9))],
      ['invalid_data', JSON.stringify(envelope('PlaceOrder', 'neg-1', { orderId: 'neg-1', customerId: 'x', items: [{ sku: 'a', quantity: -1, unitPrice: 1 }] }))],
      ['too_large', JSON.stringify(big)],
      ['subject_mismatch', JSON.stringify(envelope('SetStock', null, { sku: 'a', quantity: 1 }))],
    ];
    for (const [, payload] of bad) await t.publishRaw('cmd.order.PlaceOrder.bad', payload);
    // and an event that fails its schema reaches inventory
    await t.publishRaw('evt.payment.PaymentFailed.bad-evt-1', JSON.stringify({ ...envelope('PaymentFailed', 'bad-evt-1', { orderId: 'bad-evt-1' }), producer: 'payment' }));

    // then each is in the DLQ with its reason, with no retries
    const letters = await waitFor(async () => {
      const l = await t.deadLetters('dlq.order.PlaceOrder');
      return l.length >= bad.length ? l : undefined;
    }, { what: 'the dead letters of order' });
    assert.deepEqual(letters.map((l) => l.reason).sort(), bad.map(([reason]) => reason).sort());
    assert.ok(letters.every((l) => l.deliveries === 1), 'dead-lettered on the first delivery');
    assert.ok(letters.every((l) => l.originalSubject === 'cmd.order.PlaceOrder.bad'));
    // and every consumer of the bad event (inventory and order) dead-letters its own copy
    const eventLetters = await waitFor(async () => {
      const l = await t.deadLetters('dlq.*.PaymentFailed');
      return l.length >= 2 ? l : undefined;
    }, { what: 'the dead letters of the bad event' });
    assert.deepEqual(eventLetters.map((l) => l.consumer).sort(), ['inventory-PaymentFailed', 'order-PaymentFailed']);
    assert.ok(eventLetters.every((l) => l.reason === 'invalid_data' && /customerId/.test(l.error)));

    // and the services keep consuming: a valid command is still handled
    await t.send('PlaceOrder', { orderId: 'after-poison-1', customerId: 'frank', items: [{ sku: 'fig', quantity: 1, unitPrice: 100 }] });
    await t.waitForSagaEvents('after-poison-1', 1);
    assert.equal(t.count('order', 'SELECT count(*) AS n FROM orders'), 2);
    // (inventory cannot reserve in this stack, so the order ends by its deadline)
    await t.waitForSagaEvents('after-poison-1', 2);
    await assertInvariants(t);
  });
});
