import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEnvelope, eventSubject, partitionOf } from '@jetsaga/events';
import { checkPartitionMapping, listSagas, sagaSteps, systemStatus } from '@jetsaga/messaging/ops';
import { NatsServer, orderSagaServices, Stack } from '@jetsaga/stack';
import { terminalOrderStates, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

const N = 2;

/** Waits until order `orderId` is in `status` (in whichever order partition holds it). */
function untilOrder(t: TestStack, orderId: string, status: string, timeoutMs?: number): Promise<unknown> {
  return waitFor(() => t.rows<{ status: string }>('order', 'SELECT status FROM orders WHERE order_id = ?', orderId)[0]?.status === status || undefined, { what: `${orderId} ${status}`, ...(timeoutMs ? { timeoutMs } : {}) });
}

describe(`partitions: each service that can split runs as ${N} processes, each with its own db and durables`, () => {
  let t: TestStack;
  // customers and orders spread over both partitions (checked below, so a change of hash shows)
  const customers = ['ann', 'bob', 'cid', 'dee'];
  const rich = new Set(['ann', 'bob', 'cid']);

  before(async () => {
    t = await TestStack.start({
      partitions: N,
      services: [...orderSagaServices, 'customer'],
      // kept holds on: a refusal must release every partition's hold at once all the same
      serviceEnv: { order: { JETSAGA_ORDER_DEADLINE_MS: '3000' }, inventory: { JETSAGA_STOCK_RELEASE_DELAY_MS: '60000' } },
    });
    await t.send('SetStock', { sku: 'pear', quantity: 100 });
    await t.send('SetPrice', { sku: 'pear', unitPrice: 200 });
    await t.send('SetStock', { sku: 'rare', quantity: 1 });
    await t.send('SetPrice', { sku: 'rare', unitPrice: 500 });
    for (const c of customers) if (rich.has(c)) await t.send('CreditWallet', { customerId: c, amount: 100_000 });
    await t.waitForQuiescence();
  });

  after(async () => {
    await t?.stop();
  });

  it('runs each service as its partitions, and the keys of this test fall in both', () => {
    for (const s of ['order', 'inventory', 'payment', 'loyalty', 'notification', 'customer']) {
      assert.deepEqual(t.stack.processes.get(s), [`${s}-p0`, `${s}-p1`], s);
    }
    assert.deepEqual(new Set(customers.map((c) => partitionOf(c, N))), new Set([0, 1]));
    // pear and rare in one inventory partition, lime in the other
    assert.deepEqual([partitionOf('pear', N), partitionOf('rare', N), partitionOf('lime', N)], [1, 1, 0]);
  });

  it('ends every order, confirmed or cancelled, with each order in its partition of order and each charge in its customer\'s partition of payment', async () => {
    // when orders of every customer are placed: one customer cannot pay, one order wants more than there is
    const orders = customers.flatMap((c, i) => [0, 1].map((j) => ({ orderId: `po-${i}-${j}`, customerId: c })));
    for (const o of orders) await t.send('PlaceOrder', { ...o, items: [{ sku: 'pear', quantity: 1, unitPrice: 200 }] });
    await t.send('PlaceOrder', { orderId: 'po-short', customerId: 'ann', items: [{ sku: 'rare', quantity: 2, unitPrice: 500 }] });
    await waitFor(() => t.count('order', `SELECT count(*) AS n FROM orders WHERE status IN ${terminalOrderStates}`) === orders.length + 1 || undefined, { what: 'every order over' });
    await t.waitForQuiescence();

    // then each ended as its facts say
    const status = new Map(t.rows<{ order_id: string; status: string }>('order', 'SELECT order_id, status FROM orders').map((r) => [r.order_id, r.status]));
    for (const o of orders) assert.equal(status.get(o.orderId), rich.has(o.customerId) ? 'CONFIRMED' : 'CANCELLED', o.orderId);
    assert.equal(status.get('po-short'), 'CANCELLED');
    // and each row lives in the partition the broker maps its key to, and only there
    assert.deepEqual(new Set([...status.keys()].map((id) => partitionOf(id, N))), new Set([0, 1]), 'both order partitions took orders');
    for (const id of status.keys()) {
      for (let p = 0; p < N; p++) {
        const here = t.count(`order-p${p}`, 'SELECT count(*) AS n FROM orders WHERE order_id = ?', id);
        assert.equal(here, p === partitionOf(id, N) ? 1 : 0, `order ${id} in order-p${p}`);
      }
    }
    // an inventory partition that owns none of an order's skus took its order events without a step
    // or an inbox row (PaymentFailed names no sku: it is looked at, and changes nothing)
    const other = 1 - partitionOf('pear', N);
    assert.equal(t.count(`inventory-p${other}`, "SELECT count(*) AS n FROM step_log WHERE saga_id LIKE 'po-%' AND operation != 'PaymentFailed'"), 0);
    assert.deepEqual(t.rows(`inventory-p${other}`, "SELECT consumer FROM inbox WHERE consumer NOT LIKE '%-PaymentFailed'"), []);
    assert.ok(t.count(`inventory-p${partitionOf('pear', N)}`, "SELECT count(*) AS n FROM step_log WHERE saga_id LIKE 'po-%'") > 0);
    for (const c of customers) {
      for (let p = 0; p < N; p++) {
        const charges = t.count(`payment-p${p}`, 'SELECT count(*) AS n FROM payments WHERE customer_id = ?', c);
        const mine = p === partitionOf(c, N);
        assert.equal(charges > 0, mine, `payments of ${c} in payment-p${p}`);
        const points = t.count(`loyalty-p${p}`, "SELECT count(*) AS n FROM entries WHERE customer_id = ? AND status = 'CONFIRMED'", c);
        assert.equal(points > 0, mine && rich.has(c), `confirmed points of ${c} in loyalty-p${p}`);
        if (!mine) assert.equal(t.count(`loyalty-p${p}`, 'SELECT count(*) AS n FROM entries WHERE customer_id = ?', c), 0, `no entry of ${c} in loyalty-p${p}`);
      }
    }
    await assertInvariants(t);
  });

  it('refunds a confirmed order and lets the deadline cancel one whose stock never answers in time', async () => {
    // given a confirmed order
    await t.send('PlaceOrder', { orderId: 'pr-1', customerId: 'bob', items: [{ sku: 'pear', quantity: 2, unitPrice: 200 }] });
    await untilOrder(t, 'pr-1', 'CONFIRMED');
    // when it is refunded, and another order waits for an inventory that is down past its deadline
    await t.send('RequestRefund', { orderId: 'pr-1', reason: 'changed my mind' });
    for (const p of t.stack.processesOf('inventory')) await p.stop();
    await t.send('PlaceOrder', { orderId: 'pd-1', customerId: 'cid', items: [{ sku: 'pear', quantity: 1, unitPrice: 200 }] });
    await untilOrder(t, 'pd-1', 'CANCELLED', 15_000);
    for (const p of t.stack.processesOf('inventory')) await p.start();
    await untilOrder(t, 'pr-1', 'REFUNDED');
    await t.waitForQuiescence();
    // then the late hold of pd-1 was released, and pr-1's money and stock are back
    assert.ok((await t.sagaTypes('pd-1')).includes('OrderCancelled'));
    assert.ok((await t.sagaTypes('pr-1')).includes('OrderRefunded'));
    await assertInvariants(t);
  });

  it("welcomes a registered customer in that customer's partitions of customer and loyalty", async () => {
    for (const c of ['new-a', 'new-b', 'new-c']) await t.send('RegisterCustomer', { customerId: c, email: `${c}@example.com` });
    await waitFor(() => t.count('loyalty', "SELECT count(*) AS n FROM welcomes WHERE customer_id LIKE 'new-%'") === 3 || undefined, { what: 'three welcomes' });
    await t.waitForQuiescence();
    for (const c of ['new-a', 'new-b', 'new-c']) {
      const p = partitionOf(c, N);
      assert.equal(t.count(`customer-p${p}`, 'SELECT count(*) AS n FROM customers WHERE customer_id = ?', c), 1, c);
      assert.equal(t.count(`loyalty-p${p}`, 'SELECT count(*) AS n FROM welcomes WHERE customer_id = ?', c), 1, c);
    }
    await assertInvariants(t);
  });

  it('shows the operator every partition as one system: status, sagas and a saga\'s steps', async () => {
    const status = await systemStatus(t.nc);
    const names = status.services.map((s) => s.service);
    for (const p of ['order-p0', 'order-p1', 'payment-p0', 'payment-p1', 'inventory-p0', 'inventory-p1']) assert.ok(names.includes(p), `${p} in ${names.join(', ')}`);
    assert.ok(status.services.every((s) => s.status?.ready), JSON.stringify(status.problems));
    const listing = await listSagas(t.nc, { limit: 200 });
    assert.ok(listing.owners.includes('order-p0') && listing.owners.includes('order-p1'), listing.owners.join(', '));
    assert.equal(listing.sagas.filter((s) => s.sagaId.startsWith('po-')).length, 9, 'the orders of both partitions, merged');
    const { steps, unanswered } = await sagaSteps(t.nc, 'po-0-0');
    assert.deepEqual(unanswered, []);
    const by = new Set(steps.map((s) => s.service));
    assert.ok(by.has(`order-p${partitionOf('po-0-0', N)}`) && by.has(`payment-p${partitionOf('ann', N)}`) && by.has(`inventory-p${partitionOf('pear', N)}`), [...by].join(', '));
  });

  it("holds an order's skus in both inventory partitions, and when one side is short releases the other side's hold at once", async () => {
    await t.send('SetStock', { sku: 'lime', quantity: 1 });
    await t.send('SetPrice', { sku: 'lime', unitPrice: 50 });
    await t.waitForQuiescence();
    // given an order of pear (partition 1) and lime (partition 0) that both can hold
    await t.send('PlaceOrder', { orderId: 'px-ok', customerId: 'ann', items: [{ sku: 'pear', quantity: 1, unitPrice: 200 }, { sku: 'lime', quantity: 1, unitPrice: 50 }] });
    await untilOrder(t, 'px-ok', 'CONFIRMED');
    await t.waitForQuiescence();
    const heldBefore = t.count('inventory', "SELECT coalesce(sum(held), 0) AS n FROM stock WHERE sku IN ('pear', 'lime')");
    // when an order wants more lime than there is, with pear that there is
    await t.send('PlaceOrder', { orderId: 'px-short', customerId: 'bob', items: [{ sku: 'pear', quantity: 3, unitPrice: 200 }, { sku: 'lime', quantity: 5, unitPrice: 50 }] });
    await untilOrder(t, 'px-short', 'CANCELLED');
    await t.waitForQuiescence();
    // then px-ok was sold from both partitions, in one StockReserved
    const ok = await t.sagaTypes('px-ok');
    assert.equal(ok.filter((x) => x === 'StockPartHeld').length, 2);
    assert.equal(ok.filter((x) => x === 'StockReserved').length, 1);
    assert.deepEqual(t.rows('inventory-p1', "SELECT status FROM reservations WHERE order_id = 'px-ok'"), [{ status: 'COMMITTED' }]);
    assert.deepEqual(t.rows('inventory-p0', "SELECT status FROM reservations WHERE order_id = 'px-ok'"), [{ status: 'COMMITTED' }]);
    // and px-short holds nothing anywhere: pear's hold released at once (no kept hold), lime refused
    const short = await t.sagaEvents('px-short');
    const failed = short.find((e) => e.envelope.type === 'StockReservationFailed')!.envelope.data;
    assert.deepEqual(failed, { orderId: 'px-short', reason: 'out_of_stock', shortages: [{ sku: 'lime', requested: 5, available: 0 }] });
    assert.deepEqual(t.rows('inventory-p1', "SELECT status FROM reservations WHERE order_id = 'px-short'"), [{ status: 'RELEASED' }]);
    assert.deepEqual(t.rows('inventory-p0', "SELECT status FROM reservations WHERE order_id = 'px-short'"), [{ status: 'REJECTED' }]);
    assert.equal(t.count('inventory', "SELECT coalesce(sum(held), 0) AS n FROM stock WHERE sku IN ('pear', 'lime')"), heldBefore);
    await assertInvariants(t);
  });

  it("keeps a cancelled order's holds in each partition for its customer, and the re-order takes from both", async () => {
    await t.send('SetStock', { sku: 'lime', quantity: 5 });
    await t.waitForQuiescence();
    const pearBefore = t.rows<{ available: number }>('inventory', "SELECT available FROM stock WHERE sku = 'pear'")[0]!.available;
    // given an order of a customer who cannot pay (and has no kept holds yet): held in both partitions, then cancelled (payment_failed)
    const items = [{ sku: 'pear', quantity: 2, unitPrice: 200 }, { sku: 'lime', quantity: 1, unitPrice: 50 }];
    await t.send('PlaceOrder', { orderId: 'pk-1', customerId: 'eve', items });
    await untilOrder(t, 'pk-1', 'CANCELLED');
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('inventory', "SELECT status FROM reservations WHERE order_id = 'pk-1'"), [{ status: 'RELEASING' }, { status: 'RELEASING' }]);
    // when the customer can pay and orders the same again
    await t.send('CreditWallet', { customerId: 'eve', amount: 10_000 });
    await t.send('PlaceOrder', { orderId: 'pk-2', customerId: 'eve', items });
    await untilOrder(t, 'pk-2', 'CONFIRMED');
    await t.waitForQuiescence();
    // then each partition moved its kept hold to the re-order, and no available stock moved
    for (const [p, sku] of [[1, 'pear'], [0, 'lime']] as const) {
      assert.deepEqual(t.rows(`inventory-p${p}`, "SELECT sku FROM hold_transfers WHERE from_order_id = 'pk-1' AND to_order_id = 'pk-2'"), [{ sku }], `inventory-p${p}`);
    }
    assert.equal(t.rows<{ available: number }>('inventory', "SELECT available FROM stock WHERE sku = 'pear'")[0]!.available, pearBefore - 2);
    await assertInvariants(t);
  });

  it('checks that a broker maps subjects to N partitions, and refuses to start partitions on one that does not', async () => {
    await checkPartitionMapping(t.nc, N);
    await assert.rejects(checkPartitionMapping(t.nc, 3), /does not map subjects to 3 partitions \(cmd\.jetsaga-probe\.Mapping\.k\d became cmd\.jetsaga-probe\.Mapping\.k\d\.\d\)/);
    const dir = mkdtempSync(join(tmpdir(), 'jetsaga-nomap-'));
    const plain = await NatsServer.start({ storeDir: join(dir, 'nats') });
    try {
      await assert.rejects(
        Stack.start({ dataDir: join(dir, 'data'), natsUrl: plain.url, partitions: 2, services: ['order'] }),
        /does not map subjects to 2 partitions \(subjects are not mapped\): give it the mapping of `jetsaga infra nats-config --partitions 2`/,
      );
    } finally {
      await plain.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dead-letters an event whose partition tokens are not those of its keys (subject_mismatch), and changes nothing', async () => {
    // given a confirmed order, and a PaymentSucceeded for it forged onto the other order partition
    const orderId = 'po-1-0';
    const wrong = 1 - partitionOf(orderId, N);
    const forged = createEnvelope('PaymentSucceeded', { orderId, customerId: 'bob', amount: 200, paymentId: 'forged-p' }, { producer: 'payment', sagaId: orderId });
    const before = t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', orderId);
    // when it is published straight to a mapped subject (the broker maps only the 5-token shape)
    await t.publishRaw(`${eventSubject('payment', 'PaymentSucceeded', orderId, 'bob')}.${wrong}.${partitionOf('bob', N)}`, JSON.stringify(forged), forged.id);
    // then the partition that got it refuses it for its subject
    const [letter] = await waitFor(async () => {
      const l = (await t.deadLetters('dlq.order.PaymentSucceeded')).filter((d) => d.consumer === `order-p${wrong}-PaymentSucceeded`);
      return l.length > 0 ? l : undefined;
    }, { what: 'the dead letter' });
    assert.equal(letter!.reason, 'subject_mismatch');
    assert.match(letter!.error, /with its partitions among 2/);
    // and, once every consumer has settled it, status says so once per service (loyalty, whose
    // partition also checks both tokens, refused it too), not once per partition
    await t.waitForQuiescence();
    const problems = (await systemStatus(t.nc)).problems.filter((p) => /dead letters/.test(p));
    assert.deepEqual(problems.sort(), [`loyalty: ${(await t.deadLetters('dlq.loyalty.>')).length} dead letters`, `order: ${(await t.deadLetters('dlq.order.>')).length} dead letters`]);
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', orderId), before);
  });
});

describe('inventory as 3 partitions: an order of skus in all three', () => {
  let t: TestStack;
  // bean in partition 0, rice in 1, tea in 2
  const items = [{ sku: 'bean', quantity: 1, unitPrice: 10 }, { sku: 'rice', quantity: 1, unitPrice: 20 }, { sku: 'tea', quantity: 1, unitPrice: 30 }];

  before(async () => {
    t = await TestStack.start({ partitions: 3, services: ['order', 'inventory', 'payment'] });
    for (const i of items) {
      await t.send('SetStock', { sku: i.sku, quantity: i.sku === 'tea' ? 1 : 10 });
      await t.send('SetPrice', { sku: i.sku, unitPrice: i.unitPrice });
    }
    await t.send('CreditWallet', { customerId: 'tri', amount: 1_000 });
    await t.waitForQuiescence();
  });

  after(async () => {
    await t?.stop();
  });

  it('confirms it once all three held, then refuses the next (tea is gone) and releases the two other holds', async () => {
    assert.deepEqual(items.map((i) => partitionOf(i.sku, 3)), [0, 1, 2]);
    await t.send('PlaceOrder', { orderId: 'tri-1', customerId: 'tri', items });
    await untilOrder(t, 'tri-1', 'CONFIRMED');
    await t.send('PlaceOrder', { orderId: 'tri-2', customerId: 'tri', items });
    await untilOrder(t, 'tri-2', 'CANCELLED');
    await t.waitForQuiescence();
    assert.deepEqual(t.rows<{ status: string }>('inventory', "SELECT status FROM reservations WHERE order_id = 'tri-1'").map((r) => r.status), ['COMMITTED', 'COMMITTED', 'COMMITTED']);
    assert.deepEqual(t.rows<{ status: string }>('inventory', "SELECT status FROM reservations WHERE order_id = 'tri-2'").map((r) => r.status).sort(), ['REJECTED', 'RELEASED', 'RELEASED'].sort());
    assert.equal(t.count('inventory', 'SELECT coalesce(sum(held), 0) AS n FROM stock'), 0);
    assert.equal((await t.sagaTypes('tri-2')).filter((x) => x === 'StockReservationFailed').length, 1);
    await assertInvariants(t);
  });
});

describe('the transfer saga with transfer as 2 partitions (the banks one process each)', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ partitions: N, services: ['transfer', 'bank-a', 'bank-b'] });
    await t.send('Deposit', { accountId: 'alice', amount: 1_000 }, { to: 'bank-a' });
    await t.send('Deposit', { accountId: 'bob', amount: 100 }, { to: 'bank-b' });
    await t.waitForQuiescence();
  });

  after(async () => {
    await t?.stop();
  });

  it('completes the transfers it can and fails the one it cannot, each in the partition of its transfer id', async () => {
    assert.deepEqual(t.stack.processes.get('transfer'), ['transfer-p0', 'transfer-p1']);
    assert.deepEqual(t.stack.processes.get('bank-a'), ['bank-a']);
    const ids = ['pt-1', 'pt-2', 'pt-3', 'pt-4', 'pt-5'];
    assert.deepEqual(new Set(ids.map((id) => partitionOf(id, N))), new Set([0, 1]));
    for (const id of ids) {
      const [from, to] = id === 'pt-5' ? [{ bank: 'b', accountId: 'bob' }, { bank: 'a', accountId: 'alice' }] : [{ bank: 'a', accountId: 'alice' }, { bank: 'b', accountId: 'bob' }];
      await t.send('RequestTransfer', { transferId: id, from, to, amount: id === 'pt-5' ? 10_000 : 100 });
    }
    await waitFor(() => t.count('transfer', "SELECT count(*) AS n FROM transfers WHERE status IN ('COMPLETED', 'FAILED')") === ids.length || undefined, { what: 'every transfer over' });
    await t.waitForQuiescence();
    const status = new Map(t.rows<{ transfer_id: string; status: string }>('transfer', 'SELECT transfer_id, status FROM transfers').map((r) => [r.transfer_id, r.status]));
    for (const id of ids) {
      assert.equal(status.get(id), id === 'pt-5' ? 'FAILED' : 'COMPLETED', id);
      for (let p = 0; p < N; p++) assert.equal(t.count(`transfer-p${p}`, 'SELECT count(*) AS n FROM transfers WHERE transfer_id = ?', id), p === partitionOf(id, N) ? 1 : 0, `${id} in transfer-p${p}`);
    }
    await assertInvariants(t);
  });
});
