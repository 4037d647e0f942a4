import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STREAMS } from '@jetsaga/messaging/ops';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

/**
 * A 3-node JetStream cluster with every stream replicated 3 times: the node that leads EVENTS
 * dies (SIGKILL) in the middle of a run and comes back on its store. Nothing is lost.
 */
describe('a replicated cluster losing the leader of EVENTS', { skip: process.env.NATS_URL ? 'needs its own cluster' : false }, () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ services: coreServices, cluster: 3, env: { JETSAGA_STREAM_REPLICAS: '3' } });
    await t.send('SetPrice', { sku: 'apple', unitPrice: 100 });
    await t.send('SetStock', { sku: 'apple', quantity: 1000 });
    await t.send('CreditWallet', { customerId: 'alice', amount: 1_000_000 });
    await t.waitForQuiescence({ timeoutMs: 30_000 });
  });
  after(() => t?.stop());

  it('replicates EVENTS, COMMANDS and DLQ on the three nodes', async () => {
    for (const name of Object.values(STREAMS)) {
      const info = await t.jsm.streams.info(name);
      assert.equal(info.config.num_replicas, 3, name);
      assert.equal((info.cluster?.replicas?.length ?? 0) + 1, 3, `${name}: a leader and two replicas`);
    }
  });

  it('finishes every saga, with every invariant and no dead letter, when the EVENTS leader is killed mid-run and restarted', async () => {
    const cluster = t.natsCluster!;
    const orders = Array.from({ length: 40 }, (_, i) => `cl-${i}`);
    const place = (orderId: string) => t.send('PlaceOrder', { orderId, customerId: 'alice', items: [{ sku: 'apple', quantity: 1, unitPrice: 100 }] });
    // given the first half placed
    for (const id of orders.slice(0, 20)) await place(id);
    // when the node leading EVENTS dies
    const leader = (await t.jsm.streams.info(STREAMS.events)).cluster!.leader!;
    await cluster.node(leader).kill('SIGKILL');
    // the rest are placed while it is down (the client fails over), once a new leader is elected
    await waitFor(async () => {
      const info = await t.jsm.streams.info(STREAMS.events).catch(() => undefined);
      return info?.cluster?.leader && info.cluster.leader !== leader ? true : undefined;
    }, { timeoutMs: 30_000, what: 'a new EVENTS leader' });
    for (const id of orders.slice(20)) await waitFor(() => place(id).then(() => true, () => undefined), { timeoutMs: 30_000, what: `placing ${id}` });
    // and it comes back on its store
    await cluster.node(leader).start();
    // then every saga is terminal, nothing is lost, nothing dead-lettered
    await waitFor(() => (t.count('order', "SELECT count(*) AS n FROM orders WHERE order_id LIKE 'cl-%' AND status = 'CONFIRMED'") === orders.length ? true : undefined), {
      timeoutMs: 60_000,
      what: 'every order confirmed',
    });
    await t.waitForQuiescence({ timeoutMs: 60_000 });
    assert.deepEqual(await t.deadLetters(), []);
    for (const id of orders) assert.deepEqual(await t.sagaTypes(id), ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'], id);
    await assertInvariants(t);
  });
});
