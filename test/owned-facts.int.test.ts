import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_WALLET_BALANCE } from '@jetsaga/events';
import { coreServices, subjectOfEvent, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

/** An envelope as a buggy or hostile client writes it (any producer, any ids). */
function envelope(type: string, sagaId: string | null, data: unknown, overrides: Record<string, unknown> = {}) {
  const id = randomUUID();
  return { id, type, version: 1, sagaId, causationId: null, correlationId: id, occurredAt: new Date().toISOString(), producer: 'test', data, ...overrides };
}

/** Publishes a forged event of `producer` on the saga subject of `sagaId`. */
async function forge(t: TestStack, producer: string, type: string, sagaId: string, data: unknown): Promise<void> {
  const body = envelope(type, sagaId, data, { producer });
  await t.publishRaw(subjectOfEvent(producer, type, sagaId, data), JSON.stringify(body), body.id);
}

/** Waits until `filter` (e.g. `dlq.order.PaymentSucceeded`) holds `count` dead letters, and returns them. */
async function deadLettersOf(t: TestStack, filter: string, count: number) {
  return waitFor(async () => {
    const letters = await t.deadLetters(filter);
    return letters.length >= count ? letters : undefined;
  }, { timeoutMs: 15_000, what: `${count} dead letters on ${filter}` });
}

const balanceOf = (t: TestStack, customerId: string) => t.rows<{ balance: number }>('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', customerId)[0]?.balance;

describe('facts owned by inventory, order and payment', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ services: coreServices });
    await t.send('SetStock', { sku: 'fact-sku', quantity: 100 });
    await t.send('SetPrice', { sku: 'fact-sku', unitPrice: 1_000 });
    await t.send('SetStock', { sku: 'unpriced', quantity: 100 });
    await t.send('CreditWallet', { customerId: 'victim', amount: 50_000 });
    await t.send('CreditWallet', { customerId: 'mallory', amount: 100 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('cancels an order whose unitPrice is not the catalog price (price_mismatch), holding and charging nothing', async () => {
    // given fact-sku costs 10.00; when victim's order says 0.01 (as the client did with 0)
    const stock = t.rows('inventory', 'SELECT available, held, sold FROM stock WHERE sku = ?', 'fact-sku');
    await t.send('PlaceOrder', { orderId: 'cheap-1', customerId: 'victim', items: [{ sku: 'fact-sku', quantity: 3, unitPrice: 1 }] });
    const events = await t.waitForSagaEvents('cheap-1', 3);
    // then inventory refuses it with the current price, and the order is cancelled with that reason
    assert.deepEqual(events.map((e) => e.envelope.type), ['OrderCreated', 'StockReservationFailed', 'OrderCancelled']);
    assert.deepEqual(events[1]!.envelope.data, { orderId: 'cheap-1', reason: 'price_mismatch', prices: [{ sku: 'fact-sku', unitPrice: 1, currentPrice: 1_000 }] });
    assert.equal((events[2]!.envelope.data as { reason: string }).reason, 'price_mismatch');
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, cancel_reason FROM orders WHERE order_id = ?', 'cheap-1'), [{ status: 'CANCELLED', cancel_reason: 'price_mismatch' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'cheap-1'), [{ status: 'REJECTED' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT available, held, sold FROM stock WHERE sku = ?', 'fact-sku'), stock);
    assert.equal(balanceOf(t, 'victim'), 50_000, 'nothing charged');
    assert.deepEqual(t.rows('payment', 'SELECT status, amount FROM payments WHERE order_id = ?', 'cheap-1'), [{ status: 'VOIDED', amount: 0 }]);
    await assertInvariants(t);
  });

  it('cancels an order of a sku with no price (not_for_sale), naming the sku, holding and charging nothing', async () => {
    await t.send('PlaceOrder', {
      orderId: 'unpriced-1',
      customerId: 'victim',
      items: [
        { sku: 'fact-sku', quantity: 1, unitPrice: 1_000 },
        { sku: 'unpriced', quantity: 1, unitPrice: 500 },
      ],
    });
    const events = await t.waitForSagaEvents('unpriced-1', 3);
    assert.deepEqual(events[1]!.envelope.data, { orderId: 'unpriced-1', reason: 'not_for_sale', notForSale: ['unpriced'] });
    assert.deepEqual(events[2]!.envelope.type, 'OrderCancelled');
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, cancel_reason FROM orders WHERE order_id = ?', 'unpriced-1'), [{ status: 'CANCELLED', cancel_reason: 'not_for_sale' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT available, held FROM stock WHERE sku = ?', 'unpriced'), [{ available: 100, held: 0 }]);
    assert.equal(balanceOf(t, 'victim'), 50_000, 'nothing charged');
    await assertInvariants(t);
  });

  it("sells at inventory's price once it is set: StockReserved carries inventory's total, and payment charges exactly that", async () => {
    await t.send('SetPrice', { sku: 'unpriced', unitPrice: 500 });
    await t.waitForQuiescence();
    await t.send('PlaceOrder', { orderId: 'priced-1', customerId: 'victim', items: [{ sku: 'unpriced', quantity: 2, unitPrice: 500 }] });
    const events = await t.waitForSagaEvents('priced-1', 5);
    const reserved = events.find((e) => e.envelope.type === 'StockReserved')!.envelope.data as { total: number };
    assert.equal(reserved.total, 1_000);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('payment', 'SELECT status, amount FROM payments WHERE order_id = ?', 'priced-1'), [{ status: 'CAPTURED', amount: 1_000 }]);
    assert.equal(balanceOf(t, 'victim'), 49_000);
    await assertInvariants(t);
  });

  it('dead-letters a forged PaymentSucceeded of the wrong amount or customer (fact_mismatch): the order is not confirmed', async () => {
    // given payment is down, and mallory (1.00 in her wallet) orders 20.00 of goods: the order waits, PENDING
    await t.stack.service('payment').stop();
    await t.send('PlaceOrder', { orderId: 'forged-pay-1', customerId: 'mallory', items: [{ sku: 'fact-sku', quantity: 2, unitPrice: 1_000 }] });
    await waitFor(async () => (await t.sagaTypes('forged-pay-1')).includes('StockReserved') || undefined, { what: 'the reservation' });

    // when she publishes a PaymentSucceeded of 0.01, then one of the full amount naming the victim
    await forge(t, 'payment', 'PaymentSucceeded', 'forged-pay-1', { orderId: 'forged-pay-1', customerId: 'mallory', amount: 1, paymentId: 'forged-1' });
    await forge(t, 'payment', 'PaymentSucceeded', 'forged-pay-1', { orderId: 'forged-pay-1', customerId: 'victim', amount: 2_000, paymentId: 'forged-2' });

    // then order dead-letters both at once, saying what differed, and logs each at error level
    const letters = await deadLettersOf(t, 'dlq.order.PaymentSucceeded', 2);
    assert.deepEqual(letters.map((l) => [l.reason, l.deliveries, l.consumer]), [
      ['fact_mismatch', 1, 'order-PaymentSucceeded'],
      ['fact_mismatch', 1, 'order-PaymentSucceeded'],
    ]);
    assert.ok(letters.some((l) => /order forged-pay-1: amount 1 is not the order's total 2000$/.test(l.error)), letters.map((l) => l.error).join('\n'));
    assert.ok(letters.some((l) => /order forged-pay-1: customerId "victim" is not the order's customer "mallory"$/.test(l.error)), letters.map((l) => l.error).join('\n'));
    const logged = await waitFor(() => {
      const lines = t.logsOf('order', 'message dead-lettered').filter((l) => l.sagaId === 'forged-pay-1');
      return lines.length >= 2 ? lines : undefined;
    }, { what: 'the error log lines' });
    assert.ok(logged.every((l) => l.level === 50 && l.reason === 'fact_mismatch'));
    // and nothing changed: the order is still PENDING, nothing was confirmed or committed
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'forged-pay-1'), [{ status: 'PENDING' }]);
    assert.ok(!(await t.sagaTypes('forged-pay-1')).includes('OrderConfirmed'));
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'forged-pay-1'), [{ status: 'HELD' }]);

    // and once payment is back, the real outcome stands: she cannot pay, the order is cancelled
    await t.stack.service('payment').start();
    await waitFor(async () => (await t.sagaTypes('forged-pay-1')).includes('OrderCancelled') || undefined, { what: 'the real outcome' });
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status, cancel_reason FROM orders WHERE order_id = ?', 'forged-pay-1'), [{ status: 'CANCELLED', cancel_reason: 'payment_failed' }]);
    assert.equal(balanceOf(t, 'mallory'), 100);
    await assertInvariants(t);
  });

  it("dead-letters a forged OrderCancelled or RefundRequested naming another customer (fact_mismatch): the victim's money stays put", async () => {
    // given the victim's confirmed order
    await t.send('PlaceOrder', { orderId: 'victim-order-1', customerId: 'victim', items: [{ sku: 'fact-sku', quantity: 2, unitPrice: 1_000 }] });
    await waitFor(async () => (await t.sagaTypes('victim-order-1')).includes('StockCommitted') || undefined, { what: 'the confirmed order' });
    await t.waitForQuiescence();
    const victimBefore = balanceOf(t, 'victim');
    const summary = { orderId: 'victim-order-1', customerId: 'mallory', items: [{ sku: 'fact-sku', quantity: 2, unitPrice: 1_000 }], total: 2_000 };

    // when mallory publishes its cancellation, then a refund request, naming herself
    await forge(t, 'order', 'OrderCancelled', 'victim-order-1', { ...summary, reason: 'timeout' });
    await forge(t, 'order', 'RefundRequested', 'victim-order-1', { ...summary, reason: 'gimme' });

    // then payment dead-letters both, naming the payer and the customer the event named
    const letters = [...(await deadLettersOf(t, 'dlq.payment.OrderCancelled', 1)), ...(await deadLettersOf(t, 'dlq.payment.RefundRequested', 1))];
    for (const l of letters) {
      assert.equal(l.reason, 'fact_mismatch');
      assert.equal(l.deliveries, 1);
      assert.match(l.error, /payment of order victim-order-1 belongs to customer "victim", (OrderCancelled|RefundRequested) names "mallory"/);
    }
    await t.waitForQuiescence();
    // and nothing moved: the payment is still captured, both wallets as they were, the order CONFIRMED
    assert.deepEqual(t.rows('payment', 'SELECT status, customer_id, amount FROM payments WHERE order_id = ?', 'victim-order-1'), [
      { status: 'CAPTURED', customer_id: 'victim', amount: 2_000 },
    ]);
    assert.equal(balanceOf(t, 'victim'), victimBefore);
    assert.equal(balanceOf(t, 'mallory'), 100);
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'victim-order-1'), [{ status: 'CONFIRMED' }]);
    assert.deepEqual(t.rows('inventory', 'SELECT status FROM reservations WHERE order_id = ?', 'victim-order-1'), [{ status: 'COMMITTED' }]);
    assert.ok(!(await t.sagaTypes('victim-order-1')).includes('PaymentRefunded'));
    await assertInvariants(t);
  });

  it('refuses a credit that would take a balance past the limit (fact_mismatch), and one above it by schema (invalid_data)', async () => {
    // given a wallet filled to the limit
    await t.send('CreditWallet', { customerId: 'whale', amount: MAX_WALLET_BALANCE });
    await t.waitForQuiescence();
    assert.equal(balanceOf(t, 'whale'), MAX_WALLET_BALANCE);
    // when one more unit is credited, and a credit above the limit is published raw
    await t.send('CreditWallet', { customerId: 'whale', amount: 1 });
    await t.publishRaw('cmd.payment.CreditWallet.shrimp', JSON.stringify(envelope('CreditWallet', null, { customerId: 'shrimp', amount: MAX_WALLET_BALANCE + 1 })));
    // then both are dead-lettered at once, each with its reason, and nothing is credited
    const letters = await deadLettersOf(t, 'dlq.payment.CreditWallet', 2);
    assert.deepEqual(letters.map((l) => [l.reason, l.deliveries]).sort(), [['fact_mismatch', 1], ['invalid_data', 1]]);
    assert.match(letters.find((l) => l.reason === 'fact_mismatch')!.error, new RegExp(`wallet whale: a credit of 1 would take the balance from ${MAX_WALLET_BALANCE} to ${MAX_WALLET_BALANCE + 1}, past the limit`));
    await t.waitForQuiescence();
    assert.equal(balanceOf(t, 'whale'), MAX_WALLET_BALANCE);
    assert.equal(balanceOf(t, 'shrimp'), undefined);
    await assertInvariants(t);
  });

  it('dead-letters the new kinds of bad input at once, each with its precise reason', async () => {
    const order = (orderId: string, items: unknown[]) => envelope('PlaceOrder', orderId, { orderId, customerId: 'victim', items });
    const bad: [reason: string, detail: RegExp, subject: string, body: unknown][] = [
      ['invalid_data', /items\.1\.sku: sku "fact-sku" is on line 0 already/, 'cmd.order.PlaceOrder.dup-sku-1', order('dup-sku-1', [
        { sku: 'fact-sku', quantity: 1, unitPrice: 1_000 },
        { sku: 'fact-sku', quantity: 1, unitPrice: 1_000 },
      ])],
      ['invalid_data', /items: the total .* past the limit 9007199254740991/, 'cmd.order.PlaceOrder.huge-1', order('huge-1', [
        { sku: 'fact-sku', quantity: 1_000_000, unitPrice: Number.MAX_SAFE_INTEGER },
      ])],
      ['invalid_envelope', /^id: must be 1-64 visible ASCII/, 'cmd.order.PlaceOrder.ctrl-1', { ...order('ctrl-1', [{ sku: 'fact-sku', quantity: 1, unitPrice: 1_000 }]), id: 'evil\u001b[2J\u202eid' }],
      ['invalid_envelope', /^producer: must be 1-64 visible ASCII/, 'cmd.order.PlaceOrder.ctrl-2', { ...order('ctrl-2', [{ sku: 'fact-sku', quantity: 1, unitPrice: 1_000 }]), producer: 'cli\u200f' }],
      ['invalid_data', /reason: must not contain control/, 'cmd.order.RequestRefund.victim-order-1', envelope('RequestRefund', 'victim-order-1', { orderId: 'victim-order-1', reason: 'ok\n{"level":50,"msg":"fake"}' })],
    ];
    for (const [, , subject, body] of bad) await t.publishRaw(subject, JSON.stringify(body));
    // an order's event on another saga: a PaymentSucceeded about forged-pay-1 on victim-order-1's subject
    await forge(t, 'payment', 'PaymentSucceeded', 'victim-order-1', { orderId: 'forged-pay-1', customerId: 'mallory', amount: 2_000, paymentId: 'forged-3' });

    const commands = [...(await deadLettersOf(t, 'dlq.order.PlaceOrder', 4)), ...(await deadLettersOf(t, 'dlq.order.RequestRefund', 1))];
    for (const [reason, detail] of bad) {
      assert.ok(commands.some((l) => l.reason === reason && detail.test(l.error) && l.deliveries === 1), `${reason} ${detail}: ${JSON.stringify(commands.map((l) => [l.reason, l.error]))}`);
    }
    const sagaLetters = await waitFor(async () => {
      const l = (await t.deadLetters('dlq.order.PaymentSucceeded')).filter((x) => x.reason === 'saga_mismatch');
      return l.length > 0 ? l : undefined;
    }, { what: 'the saga_mismatch dead letter' });
    assert.equal(sagaLetters[0]!.deliveries, 1);
    assert.match(sagaLetters[0]!.error, /PaymentSucceeded is about order "forged-pay-1" but carries sagaId "victim-order-1"/);
    // and none of them made an order or touched one
    await t.waitForQuiescence();
    assert.equal(t.count('order', "SELECT count(*) AS n FROM orders WHERE order_id IN ('dup-sku-1', 'huge-1', 'ctrl-1', 'ctrl-2')"), 0);
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'victim-order-1'), [{ status: 'CONFIRMED' }]);
    await assertInvariants(t);
  });
});

describe('loyalty credits only the order\'s customer', () => {
  let t: TestStack;

  before(async () => {
    // no notification: it keeps no record of orders to check a forged event against
    t = await TestStack.start({ services: ['order', 'inventory', 'payment', 'loyalty'] });
    await t.send('SetStock', { sku: 'pts-sku', quantity: 10 });
    await t.send('SetPrice', { sku: 'pts-sku', unitPrice: 2_500 });
    await t.send('CreditWallet', { customerId: 'victim', amount: 10_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('dead-letters an OrderConfirmed, OrderCancelled or OrderRefunded naming another customer (fact_mismatch): no points move', async () => {
    // given the victim's confirmed order, worth 25 points
    const items = [{ sku: 'pts-sku', quantity: 1, unitPrice: 2_500 }];
    await t.send('PlaceOrder', { orderId: 'pts-1', customerId: 'victim', items });
    await waitFor(async () => (await t.sagaTypes('pts-1')).includes('PointsAwarded') || undefined, { what: 'the points' });
    await t.waitForQuiescence();
    const accounts = () => t.rows('loyalty', 'SELECT customer_id, balance, debt FROM accounts ORDER BY customer_id');
    assert.deepEqual(accounts(), [{ customer_id: 'victim', balance: 25, debt: 0 }]);

    // when mallory replays the order's events naming herself
    const summary = { orderId: 'pts-1', customerId: 'mallory', items, total: 2_500 };
    await forge(t, 'order', 'OrderConfirmed', 'pts-1', summary);
    await forge(t, 'order', 'OrderRefunded', 'pts-1', { ...summary, reason: 'x' });
    await forge(t, 'order', 'OrderCancelled', 'pts-1', { ...summary, reason: 'timeout' });

    // then loyalty dead-letters each (and payment the cancellation), saying whose points they are
    for (const type of ['OrderConfirmed', 'OrderRefunded', 'OrderCancelled']) {
      const [letter] = await deadLettersOf(t, `dlq.loyalty.${type}`, 1);
      assert.equal(letter!.reason, 'fact_mismatch');
      assert.match(letter!.error, new RegExp(`points of order pts-1 belong to customer "victim", ${type} names "mallory"`));
    }
    const [paymentLetter] = await deadLettersOf(t, 'dlq.payment.OrderCancelled', 1);
    assert.equal(paymentLetter!.reason, 'fact_mismatch');
    await t.waitForQuiescence();
    // and no points moved: mallory has no account, the victim keeps hers, the entry stays CONFIRMED
    assert.deepEqual(accounts(), [{ customer_id: 'victim', balance: 25, debt: 0 }]);
    assert.deepEqual(t.rows('loyalty', 'SELECT customer_id, points, status FROM entries WHERE order_id = ?', 'pts-1'), [{ customer_id: 'victim', points: 25, status: 'CONFIRMED' }]);
    assert.equal(balanceOf(t, 'victim'), 7_500);
    await assertInvariants(t);
  });
});
