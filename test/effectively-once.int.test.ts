import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headers } from 'nats';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('effectively-once processing', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ services: coreServices });
    await t.send('SetStock', { sku: 'gum', quantity: 100 });
    await t.send('SetPrice', { sku: 'gum', unitPrice: 250 });
    await t.send('CreditWallet', { customerId: 'carol', amount: 100_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  async function confirmedOrder(orderId: string) {
    await t.send('PlaceOrder', { orderId, customerId: 'carol', items: [{ sku: 'gum', quantity: 1, unitPrice: 250 }] });
    const events = await t.waitForSagaEvents(orderId, 5);
    await t.waitForQuiescence();
    return events;
  }

  function consumerDelivered(durable: string) {
    return t.jsm.consumers.info('EVENTS', durable).then((i) => i.delivered.stream_seq);
  }

  it('changes nothing when an event is delivered a second time under a new Nats-Msg-Id', async () => {
    // given a confirmed order
    const events = await confirmedOrder('dup-1');
    const reserved = events.find((e) => e.envelope.type === 'StockReserved')!;
    const balance = t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'carol');
    const inboxRows = t.count('payment', 'SELECT count(*) AS n FROM inbox');

    // when the same StockReserved envelope is published again, past the broker's dedupe
    const h = headers();
    h.set('Nats-Msg-Id', `replay-${reserved.envelope.id}`);
    const ack = await t.js.publish(reserved.subject, JSON.stringify(reserved.envelope), { headers: h });
    assert.equal(ack.duplicate, false, 'the broker stored it: only the inbox can drop it');
    await waitFor(async () => (await consumerDelivered('payment-StockReserved')) >= ack.seq, { what: 'payment to receive the copy' });
    await t.waitForQuiescence();

    // then payment charged once, emitted nothing new, and recorded no second inbox row
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'carol'), balance);
    assert.equal(t.count('payment', 'SELECT count(*) AS n FROM payments WHERE order_id = ?', 'dup-1'), 1);
    assert.equal(t.count('payment', 'SELECT count(*) AS n FROM inbox'), inboxRows);
    assert.deepEqual(await t.sagaTypes('dup-1'), [...events.map((e) => e.envelope.type), 'StockReserved']);
    await assertInvariants(t);
  });

  it('credits a wallet once when the same CreditWallet is re-published past the broker dedupe', async () => {
    // given a credit that was applied (only the inbox protects this one: a credit always adds)
    const credit = await t.send('CreditWallet', { customerId: 'zoe', amount: 700 });
    await t.waitForQuiescence();
    // when the very same envelope comes again under a new Nats-Msg-Id
    const ack = await t.publishRaw('cmd.payment.CreditWallet.zoe', JSON.stringify(credit), `replay-${credit.id}`);
    assert.equal(ack.duplicate, false, 'the broker stored it');
    await t.waitForQuiescence();
    // then the wallet holds the amount once
    assert.deepEqual(t.rows('payment', 'SELECT balance, credited FROM wallets WHERE customer_id = ?', 'zoe'), [{ balance: 700, credited: 700 }]);
    await assertInvariants(t);
  });

  it('creates one order when PlaceOrder is sent twice, with the same id or the same orderId', async () => {
    // given
    const data = { orderId: 'dup-2', customerId: 'carol', items: [{ sku: 'gum', quantity: 1, unitPrice: 250 }] };
    const first = await t.send('PlaceOrder', data);
    // when the same envelope is re-sent, then a new envelope for the same orderId
    await t.send('PlaceOrder', data, { id: first.id });
    await t.send('PlaceOrder', data);
    await t.waitForSagaEvents('dup-2', 5);
    await t.waitForQuiescence();
    // then
    assert.equal(t.count('order', 'SELECT count(*) AS n FROM orders WHERE order_id = ?', 'dup-2'), 1);
    assert.deepEqual(await t.sagaTypes('dup-2'), ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted']);
    assert.equal(t.count('payment', 'SELECT count(*) AS n FROM payments WHERE order_id = ?', 'dup-2'), 1);
    await assertInvariants(t);
  });

  it('does not apply twice an outbox row that was published but not marked sent before a crash', async () => {
    // given a confirmed order, and inventory killed with its StockReserved row marked unsent,
    // as if it crashed between the PubAck and marking the row
    const events = await confirmedOrder('crash-window-1');
    const reserved = events.find((e) => e.envelope.type === 'StockReserved')!;
    await t.stack.service('inventory').kill();
    const writable = new (await import('better-sqlite3')).default(t.stack.dbPath('inventory'));
    writable.prepare('UPDATE outbox SET sent_at = NULL WHERE event_id = ?').run(reserved.envelope.id);
    writable.close();
    const balance = t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'carol');

    // when inventory restarts, its relay publishes the row again
    await t.stack.service('inventory').start();
    await t.waitForQuiescence();

    // then the row is marked sent, the broker dropped the copy (same Nats-Msg-Id), and
    // nothing downstream changed
    assert.equal(t.count('inventory', 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL'), 0);
    assert.deepEqual(await t.sagaTypes('crash-window-1'), events.map((e) => e.envelope.type));
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'carol'), balance);
    assert.equal(t.count('payment', 'SELECT count(*) AS n FROM payments WHERE order_id = ?', 'crash-window-1'), 1);
    await assertInvariants(t);
  });
});
