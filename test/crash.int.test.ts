import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

const ORDERS_PER_ROUND = 20;

describe('crashes mid-saga', () => {
  let t: TestStack;

  before(async () => {
    // A short ack wait: deliveries lost with a killed process (or acks lost with a killed
    // broker) come back after it, and the inbox drops what was already done.
    t = await TestStack.start({ env: { JETSAGA_ACK_WAIT_MS: '2000' } });
    await t.send('SetStock', { sku: 'nut', quantity: 1_000 });
    await t.send('SetPrice', { sku: 'nut', unitPrice: 100 });
    await t.send('CreditWallet', { customerId: 'rich', amount: 1_000_000 });
    await t.send('CreditWallet', { customerId: 'poor', amount: 10 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  /** Places orders `from`..`to - 1` of a round (a mix of happy and no-funds) without waiting for them. */
  async function placeOrders(prefix: string, from: number, to: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = from; i < to; i++) {
      const orderId = `${prefix}-${i}`;
      ids.push(orderId);
      await t.send('PlaceOrder', { orderId, customerId: i % 4 === 0 ? 'poor' : 'rich', items: [{ sku: 'nut', quantity: 1, unitPrice: 100 }] });
    }
    return ids;
  }

  /**
   * Places a round and runs `crash` right after it, with sagas in flight whatever the speed of
   * the machine: the first orders flow through every service as they are placed (so the crash
   * finds them at work), the last ones are placed while payment is paused (SIGSTOP), so they
   * cannot end before the crash. Payment goes on (SIGCONT) after it, unless it was killed.
   */
  async function placeRoundAndCrash(prefix: string, crash: () => Promise<void>): Promise<string[]> {
    const held = ORDERS_PER_ROUND / 4;
    const ids = await placeOrders(prefix, 0, ORDERS_PER_ROUND - held);
    const payment = t.stack.service('payment');
    payment.signal('SIGSTOP');
    try {
      ids.push(...(await placeOrders(prefix, ORDERS_PER_ROUND - held, ORDERS_PER_ROUND)));
      await crash();
      return ids;
    } finally {
      payment.signal('SIGCONT');
    }
  }

  function finishedCount(prefix: string): number {
    return t.count('order', `SELECT count(*) AS n FROM orders WHERE status != 'PENDING' AND order_id LIKE ?`, `${prefix}-%`);
  }

  async function assertAllFinished(ids: string[]): Promise<void> {
    await waitFor(() => finishedCount(ids[0]!.replace(/-0$/, '')) === ids.length || undefined, {
      timeoutMs: 30_000,
      what: `${ids.length} sagas to end`,
    });
    await assertInvariants(t);
    for (const id of ids) {
      const types = await t.sagaTypes(id);
      assert.equal(new Set(types).size, types.length, `saga ${id} has no event twice: ${types.join(', ')}`);
    }
  }

  for (const service of ['order', 'inventory', 'payment']) {
    it(`loses nothing and doubles nothing when ${service} is SIGKILLed mid-saga and restarted`, async () => {
      // given sagas in flight, when the service dies at once
      const ids = await placeRoundAndCrash(`kill-${service}`, () => t.stack.service(service).kill());
      // and comes back
      await t.stack.service(service).start();
      // then every saga ends, each event once, and the invariants hold
      await assertAllFinished(ids);
    });
  }

  it('finishes every saga when nats-server is killed and restarted mid-flow (same store)', { skip: process.env.NATS_URL ? 'the broker is external (NATS_URL)' : false }, async () => {
    // given sagas in flight, when the broker dies
    const ids = await placeRoundAndCrash('broker-restart', () => t.natsServer!.kill('SIGKILL'));
    // and comes back on the same port and store
    await t.natsServer!.start();
    // then the services reconnect and every saga ends
    await assertAllFinished(ids);
  });

  it('starts a service while the broker is down, once the broker is back', { skip: process.env.NATS_URL ? 'the broker is external (NATS_URL)' : false }, async () => {
    // given payment and the broker both dead
    await t.stack.service('payment').kill();
    await t.natsServer!.kill('SIGKILL');
    // when payment starts first, and the broker only then
    const starting = t.stack.service('payment').start();
    await t.natsServer!.start();
    await starting;
    // then payment serves sagas again
    const ids = await placeOrders('cold-start', 0, ORDERS_PER_ROUND);
    await assertAllFinished(ids);
  });
});
