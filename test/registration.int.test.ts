import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEnvelope } from '@jetsaga/events';
import { publishEnvelope } from '@jetsaga/messaging/ops';
import { runCli } from './support/cli.js';
import { registrationServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('registration -> welcome points and a welcome notice (customer, loyalty, notification)', () => {
  let t: TestStack;

  before(async () => {
    // WELCOME_POINTS is a setting: 250 here, to see it is the one applied
    t = await TestStack.start({ services: registrationServices, serviceEnv: { loyalty: { JETSAGA_WELCOME_POINTS: '250' } } });
  });
  after(() => t?.stop());

  function notices(): { id: string; kind: string; customerId: string; orderId: string | null; message: string }[] {
    return readFileSync(join(t.stack.dataDir, 'notifications.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; kind: string; customerId: string; orderId: string | null; message: string });
  }

  it('registers a customer: CustomerRegistered, then the welcome points on the same saga, and one welcome notice', async () => {
    // when
    await t.send('RegisterCustomer', { customerId: 'c9', email: 'c9@example.com' });
    // then
    const events = await t.waitForSagaEvents('c9', 2);
    assert.deepEqual(
      events.map((e) => [e.envelope.producer, e.envelope.type, e.envelope.data]),
      [
        ['customer', 'CustomerRegistered', { customerId: 'c9', email: 'c9@example.com' }],
        ['loyalty', 'WelcomePointsAwarded', { customerId: 'c9', points: 250, balance: 250 }],
      ],
    );
    assert.equal(events[1]!.envelope.causationId, events[0]!.envelope.id);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('customer', 'SELECT customer_id, email FROM customers'), [{ customer_id: 'c9', email: 'c9@example.com' }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT customer_id, points FROM welcomes'), [{ customer_id: 'c9', points: 250 }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT customer_id, balance, debt FROM accounts'), [{ customer_id: 'c9', balance: 250, debt: 0 }]);
    assert.deepEqual(t.rows('notification', 'SELECT id, order_id, kind, customer_id, status FROM notifications'), [
      { id: 'c9:welcome', order_id: null, kind: 'welcome', customer_id: 'c9', status: 'SENT' },
    ]);
    assert.deepEqual(
      notices().map((n) => [n.id, n.kind, n.orderId, n.message]),
      [['c9:welcome', 'welcome', null, 'Welcome, c9: you are registered (c9@example.com).']],
    );
    await assertInvariants(t);
  });

  it('refuses a second registration of the same customer (already_registered), changing nothing', async () => {
    // when c9 registers again, with another email
    await t.send('RegisterCustomer', { customerId: 'c9', email: 'other@example.com' });
    // then
    const events = await t.waitForSagaEvents('c9', 3);
    assert.deepEqual(
      events.map((e) => e.envelope.type),
      ['CustomerRegistered', 'WelcomePointsAwarded', 'RegistrationRefused'],
    );
    assert.deepEqual(events[2]!.envelope.data, { customerId: 'c9', reason: 'already_registered' });
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('customer', 'SELECT customer_id, email FROM customers'), [{ customer_id: 'c9', email: 'c9@example.com' }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT balance FROM accounts WHERE customer_id = ?', 'c9'), [{ balance: 250 }]);
    assert.equal(notices().length, 1);
    await assertInvariants(t);
  });

  it('the CLI: jetsaga customer register follows the registration to its welcome', async () => {
    const result = await runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, 'customer', 'register', 'c11', 'c11@example.com']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /RegisterCustomer c11 accepted/);
    assert.match(result.stdout, /REGISTERED/);
    assert.match(result.stdout, /CustomerRegistered > WelcomePointsAwarded/);
    await assertInvariants(t);
  });

  it('awards the welcome points once, even when CustomerRegistered comes again under a new id', async () => {
    // given a customer registered and welcomed
    await t.send('RegisterCustomer', { customerId: 'c10', email: 'c10@example.com' });
    await waitFor(async () => (await t.sagaTypes('c10')).includes('WelcomePointsAwarded') || undefined, { what: 'the welcome of c10' });
    await t.waitForQuiescence();
    // when its CustomerRegistered is published again as a new event (the inboxes cannot tell)
    const again = createEnvelope('CustomerRegistered', { customerId: 'c10', email: 'c10@example.com' }, { producer: 'customer', sagaId: 'c10' });
    await publishEnvelope(t.js, 'evt.customer.CustomerRegistered.c10.c10', again);
    await waitFor(() => t.count('loyalty', "SELECT count(*) AS n FROM inbox WHERE event_id = ?", again.id) > 0 || undefined, { what: 'loyalty handled the copy' });
    await t.waitForQuiescence();
    // then nothing more: one WelcomePointsAwarded, the points once, one notice
    assert.deepEqual(await t.sagaTypes('c10'), ['CustomerRegistered', 'WelcomePointsAwarded', 'CustomerRegistered']);
    assert.deepEqual(t.rows('loyalty', 'SELECT points FROM welcomes WHERE customer_id = ?', 'c10'), [{ points: 250 }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT balance FROM accounts WHERE customer_id = ?', 'c10'), [{ balance: 250 }]);
    assert.equal(notices().filter((n) => n.id === 'c10:welcome').length, 1);
    await assertInvariants(t);
  });
});
