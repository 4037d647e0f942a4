import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('retries with exponential backoff', () => {
  let t: TestStack;

  before(async () => {
    // payment fails the first 3 deliveries of every StockReserved, then succeeds
    t = await TestStack.start({ services: coreServices, serviceEnv: { payment: { JETSAGA_FAULTS: 'StockReserved:3', JETSAGA_MAX_DELIVER: '5' } } });
    await t.send('SetStock', { sku: 'plum', quantity: 5 });
    await t.send('SetPrice', { sku: 'plum', unitPrice: 1000 });
    await t.send('CreditWallet', { customerId: 'erin', amount: 5_000 });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('retries a transiently failing handler with growing delays, then completes the saga once', async () => {
    // when
    await t.send('PlaceOrder', { orderId: 'retry-1', customerId: 'erin', items: [{ sku: 'plum', quantity: 1, unitPrice: 1000 }] });
    // then the saga completes
    const events = await t.waitForSagaEvents('retry-1', 5, { timeoutMs: 20_000 });
    assert.deepEqual(
      events.map((e) => e.envelope.type),
      ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'],
    );
    // and payment logged three failed deliveries, each retried after a longer delay
    const failures = t.logsOf('payment', 'handler failed; will retry').filter((l) => l.sagaId === 'retry-1');
    assert.deepEqual(failures.map((l) => l.deliveries), [1, 2, 3]);
    const delays = failures.map((l) => l.retryInMs as number);
    assert.ok(delays[0]! < delays[1]! && delays[1]! < delays[2]!, `delays grow: ${delays.join(', ')}`);
    // and the server honoured each delay: the next attempt came no sooner than asked
    const at = failures.map((l) => Date.parse(l.time));
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= delays[i - 1]! - 5, `attempt ${i + 1} waited ${at[i]! - at[i - 1]!} ms >= ${delays[i - 1]} ms`);
    assert.equal(t.count('payment', 'SELECT count(*) AS n FROM payments WHERE order_id = ?', 'retry-1'), 1);
    assert.deepEqual(await t.deadLetters(), []);
    await assertInvariants(t);
  });
});
