import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('service lifecycle', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ services: coreServices });
    await t.send('SetStock', { sku: 'kiwi', quantity: 5 });
    await t.send('SetPrice', { sku: 'kiwi', unitPrice: 400 });
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

  it('prunes inbox rows, sent outbox rows and fired timers past the retention, never an unsent row', async () => {
    // given payment stopped, with rows older than the 7-day retention written into its db
    await t.stack.service('payment').stop();
    const old = Date.now() - 8 * 24 * 3600_000;
    const db = new (await import('better-sqlite3')).default(t.stack.dbPath('payment'));
    const envelope = (id: string) =>
      JSON.stringify({ id, type: 'PaymentFailed', version: 1, sagaId: 'prune-1', causationId: null, correlationId: id, occurredAt: new Date(old).toISOString(), producer: 'payment', data: { orderId: 'prune-1', customerId: 'dave', amount: 1, reason: 'insufficient_funds', balance: 0 } });
    const addOutbox = db.prepare('INSERT INTO outbox (event_id, subject, payload, headers, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?)');
    addOutbox.run('old-sent', 'evt.payment.PaymentFailed.prune-1', envelope('old-sent'), '{}', old, old);
    addOutbox.run('old-unsent', 'evt.payment.PaymentFailed.prune-1', envelope('old-unsent'), '{}', old, null);
    db.prepare('INSERT INTO inbox (consumer, event_id, processed_at) VALUES (?, ?, ?)').run('payment-StockReserved', 'old-inbox', old);
    db.prepare("INSERT INTO timers (id, kind, key, due_at, payload, created_at, fired_at) VALUES ('Old:1', 'Old', '1', ?, 'null', ?, ?)").run(old, old, old);
    db.close();
    const recentInbox = t.count('payment', 'SELECT count(*) AS n FROM inbox WHERE processed_at > ?', old);
    // when it starts again (it prunes at start, then hourly)
    await t.stack.service('payment').start();
    await t.waitForQuiescence();
    // then the old rows are gone, the recent ones stay, and the unsent row was published, not deleted
    assert.equal(t.count('payment', "SELECT count(*) AS n FROM outbox WHERE event_id = 'old-sent'"), 0);
    assert.equal(t.count('payment', "SELECT count(*) AS n FROM inbox WHERE event_id = 'old-inbox'"), 0);
    assert.equal(t.count('payment', "SELECT count(*) AS n FROM timers WHERE id = 'Old:1'"), 0);
    assert.equal(t.count('payment', 'SELECT count(*) AS n FROM inbox'), recentInbox);
    assert.equal(t.count('payment', "SELECT count(*) AS n FROM outbox WHERE event_id = 'old-unsent' AND sent_at IS NOT NULL"), 1);
    assert.deepEqual(await t.sagaTypes('prune-1'), ['PaymentFailed']);
    await assertInvariants(t);
  });
});
