import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAccount, parseItem, prepareMessage, sagaFinished, sagaOutcome } from '@jetsaga/cli';

describe('jetsaga order place --item', () => {
  it('reads sku:quantity:unitPrice and accumulates repeated items', () => {
    const items = parseItem('sku-2:1:99', parseItem('sku-1:2:1500'));
    assert.deepEqual(items, [
      { sku: 'sku-1', quantity: 2, unitPrice: 1500 },
      { sku: 'sku-2', quantity: 1, unitPrice: 99 },
    ]);
  });

  it('refuses an item that is not sku:quantity:unitPrice', () => {
    assert.throws(() => parseItem('sku-1:2'), /sku:quantity:unitPrice/);
    assert.throws(() => parseItem('sku 1:2:3'), /sku:quantity:unitPrice/);
  });
});

describe('jetsaga publish', () => {
  it('wraps bare data in an envelope for the subject, with sagaId from the order id', () => {
    const { envelope: env, subject } = prepareMessage('cmd.order.PlaceOrder', JSON.stringify({ orderId: 'o-1', customerId: 'c1', items: [{ sku: 's', quantity: 1, unitPrice: 5 }] }));
    assert.equal(subject, 'cmd.order.PlaceOrder.o-1', 'the key token completed from the order id');
    assert.equal(env.type, 'PlaceOrder');
    assert.equal(env.version, 1);
    assert.equal(env.sagaId, 'o-1');
    assert.equal(env.producer, 'cli');
  });

  it('accepts a whole envelope as it is', () => {
    const whole = { id: 'cmd-1', type: 'SetStock', version: 1, sagaId: null, causationId: null, correlationId: null, occurredAt: '2026-01-01T00:00:00.000Z', producer: 'me', data: { sku: 'x', quantity: 3 } };
    assert.deepEqual(prepareMessage('cmd.inventory.SetStock', JSON.stringify(whole)), { envelope: whole, subject: 'cmd.inventory.SetStock.x' });
    assert.deepEqual(prepareMessage('cmd.inventory.SetStock.x', JSON.stringify(whole)), { envelope: whole, subject: 'cmd.inventory.SetStock.x' });
    assert.throws(() => prepareMessage('cmd.inventory.SetStock.y', JSON.stringify(whole)), /subject_mismatch.*expected "cmd\.inventory\.SetStock\.x"/);
    assert.throws(() => prepareMessage('cmd.inventory.SetStock.x.0', JSON.stringify(whole)), /not a jetsaga subject/);
  });

  it('refuses data that fails the schema, saying why', () => {
    assert.throws(() => prepareMessage('cmd.payment.CreditWallet', '{"customerId":"c1","amount":-5}'), /invalid_data.*amount/);
  });

  it('refuses an envelope sent to the wrong subject', () => {
    const whole = { id: 'cmd-2', type: 'SetStock', version: 1, sagaId: null, causationId: null, correlationId: null, occurredAt: '2026-01-01T00:00:00.000Z', producer: 'me', data: { sku: 'x', quantity: 3 } };
    assert.throws(() => prepareMessage('cmd.payment.CreditWallet', JSON.stringify(whole)), /subject_mismatch/);
  });

  it('refuses malformed JSON and unknown subjects', () => {
    assert.throws(() => prepareMessage('cmd.inventory.SetStock', '{nope'), /not JSON/);
    assert.throws(() => prepareMessage('orders.new', '{}'), /not a jetsaga subject/);
    assert.throws(() => prepareMessage('cmd.inventory.Restock', '{}'), /unknown message type "Restock"/);
  });
});

describe('when a saga has run its course', () => {
  it('is finished once confirmed and committed, not before', () => {
    assert.equal(sagaFinished(['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed']), false);
    assert.equal(sagaFinished(['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted']), true);
  });

  it('is finished once cancelled and any hold released', () => {
    assert.equal(sagaFinished(['OrderCreated', 'StockReservationFailed', 'OrderCancelled']), true);
    assert.equal(sagaFinished(['OrderCreated', 'StockReserved', 'PaymentFailed', 'OrderCancelled']), false);
    assert.equal(sagaFinished(['OrderCreated', 'StockReserved', 'PaymentFailed', 'OrderCancelled', 'StockReleased']), true);
  });

  it('is finished once a kept hold went entirely to a re-order, not while part of it awaits release', () => {
    const cancelled = ['OrderCreated', 'StockReserved', 'PaymentFailed', 'OrderCancelled'].map((type) => ({ type }));
    const transfer = (remaining: unknown[]) => ({ type: 'StockHoldTransferred', data: { orderId: 'o1', toOrderId: 'o2', items: [{ sku: 'a', quantity: 1 }], remaining } });
    assert.equal(sagaFinished([...cancelled, transfer([{ sku: 'a', quantity: 2 }])]), false);
    assert.equal(sagaFinished([...cancelled, transfer([{ sku: 'a', quantity: 2 }]), transfer([])]), true);
    assert.equal(sagaFinished([...cancelled, transfer([{ sku: 'a', quantity: 2 }]), { type: 'StockReleased' }]), true);
  });

  it('is finished once a refund reaches OrderRefunded, or is refused', () => {
    assert.equal(sagaFinished(['RefundRequested', 'PaymentRefunded', 'StockRestocked']), false);
    assert.equal(sagaFinished(['RefundRequested', 'PaymentRefunded', 'StockRestocked', 'OrderRefunded']), true);
    assert.equal(sagaFinished(['RefundRejected']), true);
    assert.equal(sagaOutcome(['RefundRequested', 'OrderRefunded']), 'REFUNDED');
    assert.equal(sagaOutcome(['RefundRejected']), 'REFUSED');
  });

  it('reports the outcome from the order events', () => {
    assert.equal(sagaOutcome(['OrderCreated']), 'PENDING');
    assert.equal(sagaOutcome(['OrderCreated', 'StockReservationFailed', 'OrderCancelled']), 'CANCELLED');
    assert.equal(sagaOutcome(['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed']), 'CONFIRMED');
  });
});

describe('jetsaga transfer and customer register', () => {
  it('reads bank:account, and refuses what is not one', () => {
    assert.deepEqual(parseAccount('a:alice'), { bank: 'a', accountId: 'alice' });
    for (const bad of ['alice', 'a:', 'A:alice', 'a:b:c', 'bank-a:alice']) assert.throws(() => parseAccount(bad), /is not bank:account/, bad);
  });

  it('a transfer is finished once completed, or failed with every try it saw cancelled', () => {
    const confirmed = ['TransferRequested', 'FundsFrozen', 'CreditPrepared', 'TransferConfirmed'];
    assert.equal(sagaFinished([...confirmed, 'FreezeConfirmed', 'CreditConfirmed']), false);
    assert.equal(sagaFinished([...confirmed, 'FreezeConfirmed', 'CreditConfirmed', 'TransferCompleted']), true);
    assert.equal(sagaFinished(['TransferRequested', 'FreezeRefused', 'TransferFailed']), true);
    assert.equal(sagaFinished(['TransferRequested', 'FundsFrozen', 'CreditRefused', 'TransferFailed']), false);
    assert.equal(sagaFinished(['TransferRequested', 'FundsFrozen', 'CreditRefused', 'TransferFailed', 'FreezeReleased']), true);
    assert.equal(sagaFinished(['TransferRequested', 'FundsFrozen', 'CreditPrepared', 'TransferFailed', 'FreezeReleased']), false);
    assert.equal(sagaFinished(['TransferRequested', 'FundsFrozen', 'CreditPrepared', 'TransferFailed', 'CreditDropped', 'FreezeReleased']), true);
    assert.equal(sagaOutcome([...confirmed, 'FreezeConfirmed', 'CreditConfirmed', 'TransferCompleted']), 'COMPLETED');
    assert.equal(sagaOutcome(confirmed), 'CONFIRMED');
    assert.equal(sagaOutcome(['TransferRequested', 'FreezeRefused', 'TransferFailed']), 'FAILED');
    assert.equal(sagaOutcome(['TransferRequested']), 'PENDING');
  });

  it('a registration is finished once welcomed, or refused', () => {
    assert.equal(sagaFinished(['CustomerRegistered']), false);
    assert.equal(sagaFinished(['CustomerRegistered', 'WelcomePointsAwarded']), true);
    assert.equal(sagaFinished(['RegistrationRefused']), true);
    assert.equal(sagaOutcome(['CustomerRegistered', 'WelcomePointsAwarded']), 'REGISTERED');
    assert.equal(sagaOutcome(['RegistrationRefused']), 'REFUSED');
  });
});
