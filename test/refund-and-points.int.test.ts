import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { subjectOfEvent, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('loyalty points, notifications and refunds', () => {
  let t: TestStack;
  const items = [{ sku: 'pen', quantity: 2, unitPrice: 1250 }];

  before(async () => {
    t = await TestStack.start();
    await t.send('SetStock', { sku: 'pen', quantity: 20 });
    await t.send('SetPrice', { sku: 'pen', unitPrice: 1250 });
    await t.send('CreditWallet', { customerId: 'kate', amount: 50_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  async function confirmedOrder(orderId: string) {
    await t.send('PlaceOrder', { orderId, customerId: 'kate', items });
    await waitFor(async () => (await t.sagaTypes(orderId)).includes('StockCommitted') || undefined, { what: `${orderId} confirmed` });
    await t.waitForQuiescence();
  }

  function notifications(): { id: string; message: string }[] {
    return readFileSync(join(t.stack.dataDir, 'notifications.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; message: string });
  }

  it('awards points for a confirmed order and notifies the customer once', async () => {
    // when
    await confirmedOrder('points-1');
    // then
    const types = await t.sagaTypes('points-1');
    assert.deepEqual(types.filter((x) => x.startsWith('Points')), ['PointsAwarded']);
    assert.deepEqual(t.rows('loyalty', 'SELECT points, status FROM entries WHERE order_id = ?', 'points-1'), [{ points: 25, status: 'CONFIRMED' }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT balance, debt FROM accounts WHERE customer_id = ?', 'kate'), [{ balance: 25, debt: 0 }]);
    assert.deepEqual(t.rows('notification', 'SELECT id, status FROM notifications WHERE order_id = ?', 'points-1'), [{ id: 'points-1:confirmed', status: 'SENT' }]);
    assert.equal(notifications().filter((n) => n.id === 'points-1:confirmed').length, 1);
    await assertInvariants(t);
  });

  it('refunds a confirmed order: money back, stock back, points reverted, order REFUNDED', async () => {
    // given
    await confirmedOrder('refund-1');
    const wallet = t.rows<{ balance: number }>('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'kate')[0]!.balance;
    const pen = t.rows<{ available: number; sold: number }>('inventory', 'SELECT available, sold FROM stock WHERE sku = ?', 'pen')[0]!;
    const eventsBefore = (await t.sagaTypes('refund-1')).length;
    // when
    await t.send('RequestRefund', { orderId: 'refund-1', reason: 'broken on arrival' });
    // then
    const types = await waitFor(async () => {
      const all = await t.sagaTypes('refund-1');
      return all.includes('PointsReverted') ? all.slice(eventsBefore) : undefined;
    }, { what: 'the refund saga' });
    assert.deepEqual(types, ['RefundRequested', 'PaymentRefunded', 'StockRestocked', 'OrderRefunded', 'PointsReverted']);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, refund_reason FROM orders WHERE order_id = ?', 'refund-1'), [{ status: 'REFUNDED', refund_reason: 'broken on arrival' }]);
    assert.deepEqual(t.rows('payment', 'SELECT status FROM payments WHERE order_id = ?', 'refund-1'), [{ status: 'REFUNDED' }]);
    assert.equal(t.rows<{ balance: number }>('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'kate')[0]!.balance, wallet + 2500);
    assert.deepEqual(t.rows('inventory', 'SELECT available, sold FROM stock WHERE sku = ?', 'pen'), [{ available: pen.available + 2, sold: pen.sold - 2 }]);
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'refund-1'), [{ status: 'RESTOCKED' }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT status FROM entries WHERE order_id = ?', 'refund-1'), [{ status: 'REVERTED' }]);
    assert.deepEqual(t.rows('notification', 'SELECT kind, status FROM notifications WHERE order_id = ? ORDER BY kind', 'refund-1'), [
      { kind: 'confirmed', status: 'SENT' },
      { kind: 'refunded', status: 'SENT' },
    ]);
    await assertInvariants(t);
  });

  it('refunds once when the refund is requested twice, and says why the second is refused', async () => {
    // given a refunded order
    const wallet = t.rows<{ balance: number }>('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'kate')[0]!.balance;
    // when another refund is requested
    await t.send('RequestRefund', { orderId: 'refund-1', reason: 'again' });
    // then
    const rejected = await waitFor(async () => (await t.sagaEvents('refund-1')).find((e) => e.envelope.type === 'RefundRejected'), { what: 'the refusal' });
    assert.deepEqual(rejected.envelope.data, { orderId: 'refund-1', reason: 'already_refunded', status: 'REFUNDED' });
    await t.waitForQuiescence();
    assert.equal(t.rows<{ balance: number }>('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'kate')[0]!.balance, wallet);
    assert.equal((await t.sagaTypes('refund-1')).filter((x) => x === 'PaymentRefunded').length, 1);
    await assertInvariants(t);
  });

  it('refuses to refund an order that is not CONFIRMED, or unknown', async () => {
    // given a cancelled order
    await t.send('PlaceOrder', { orderId: 'too-big-1', customerId: 'kate', items: [{ sku: 'pen', quantity: 999, unitPrice: 1250 }] });
    await waitFor(async () => (await t.sagaTypes('too-big-1')).includes('OrderCancelled') || undefined, { what: 'the cancellation' });
    // when
    await t.send('RequestRefund', { orderId: 'too-big-1', reason: 'x' });
    await t.send('RequestRefund', { orderId: 'never-placed-1', reason: 'x' });
    // then
    const refusal = async (id: string) =>
      waitFor(async () => (await t.sagaEvents(id)).find((e) => e.envelope.type === 'RefundRejected')?.envelope.data, { what: `the refusal of ${id}` });
    assert.deepEqual(await refusal('too-big-1'), { orderId: 'too-big-1', reason: 'not_confirmed', status: 'CANCELLED' });
    assert.deepEqual(await refusal('never-placed-1'), { orderId: 'never-placed-1', reason: 'unknown_order', status: null });
    await assertInvariants(t);
  });

  it('awards no points when OrderRefunded reaches loyalty before the payment and the confirmation', async () => {
    // given events of one order, published so loyalty sees the refund first
    const summary = { orderId: 'early-refund-1', customerId: 'lou', items, total: 2500 };
    const publish = async (producer: string, type: string, data: unknown) => {
      const id = randomUUID();
      const body = { id, type, version: 1, sagaId: 'early-refund-1', causationId: null, correlationId: id, occurredAt: new Date().toISOString(), producer, data };
      await t.publishRaw(subjectOfEvent(producer, type, 'early-refund-1', data), JSON.stringify(body), id);
      await t.waitForQuiescence();
    };
    // when
    await publish('order', 'OrderRefunded', { ...summary, reason: 'x' });
    await publish('payment', 'PaymentSucceeded', { orderId: 'early-refund-1', customerId: 'lou', amount: 2500, paymentId: 'p-1' });
    await publish('order', 'OrderConfirmed', summary);
    // then the tombstone made both late steps no-ops
    assert.deepEqual(t.rows('loyalty', 'SELECT points, status FROM entries WHERE order_id = ?', 'early-refund-1'), [{ points: 0, status: 'CANCELLED' }]);
    assert.equal(t.count('loyalty', "SELECT count(*) AS n FROM accounts WHERE customer_id = 'lou' AND balance > 0"), 0);
    assert.ok(!(await t.sagaTypes('early-refund-1')).some((x) => x.startsWith('Points')), 'no points event');
  });
});

describe('a refund that reaches inventory before its OrderConfirmed', () => {
  let t: TestStack;
  const items = [{ sku: 'lamp', quantity: 2, unitPrice: 700 }];

  before(async () => {
    // inventory's OrderConfirmed consumer falls behind: each OrderConfirmed fails 4 times
    // (retried after about 0.2, 0.4, 0.8 and 1.6 s), as behind a kill, a pause or a failover
    t = await TestStack.start({
      services: ['order', 'inventory', 'payment'],
      serviceEnv: { inventory: { JETSAGA_FAULTS: 'OrderConfirmed:4', JETSAGA_MAX_DELIVER: '10' } },
    });
    await t.send('SetStock', { sku: 'lamp', quantity: 5 });
    await t.send('SetPrice', { sku: 'lamp', unitPrice: 700 });
    await t.send('CreditWallet', { customerId: 'max', amount: 10_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('commits and restocks the hold in one step, and the late OrderConfirmed changes nothing', async () => {
    // given an order that order has confirmed
    await t.send('PlaceOrder', { orderId: 'quick-refund-1', customerId: 'max', items });
    await waitFor(() => t.count('order', "SELECT count(*) AS n FROM orders WHERE order_id = 'quick-refund-1' AND status = 'CONFIRMED'") || undefined, {
      intervalMs: 20,
      what: 'quick-refund-1 confirmed by order',
    });
    // when its customer asks for a refund at once
    await t.send('RequestRefund', { orderId: 'quick-refund-1', reason: 'changed my mind' });
    // then the refund is carried through (before this release: REFUNDING forever, the restock dropped)
    await waitFor(() => t.count('order', "SELECT count(*) AS n FROM orders WHERE order_id = 'quick-refund-1' AND status = 'REFUNDED'") || undefined, {
      what: 'quick-refund-1 refunded',
    });
    await t.waitForQuiescence();
    const events = await t.sagaEvents('quick-refund-1');
    const one = (type: string) => events.filter((e) => e.envelope.type === type).map((e) => e.envelope);
    assert.equal(one('StockCommitted').length, 1);
    assert.equal(one('StockRestocked').length, 1);
    // the sale was committed by the refund's PaymentRefunded, not by the OrderConfirmed that came later
    assert.equal(one('StockCommitted')[0]!.causationId, one('PaymentRefunded')[0]!.id);
    assert.deepEqual(t.rows('inventory', "SELECT status FROM reservations WHERE order_id = 'quick-refund-1'"), [{ status: 'RESTOCKED' }]);
    assert.deepEqual(t.rows('inventory', "SELECT available, held, sold FROM stock WHERE sku = 'lamp'"), [{ available: 5, held: 0, sold: 0 }]);
    assert.deepEqual(t.rows('payment', "SELECT balance FROM wallets WHERE customer_id = 'max'"), [{ balance: 10_000 }]);
    await assertInvariants(t);
  });
});
