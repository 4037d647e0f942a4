import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope } from '@jetsaga/events';
import { sagaEventViolations } from '../chaos/saga-events.js';

// ---- given helpers ------------------------------------------------------------------------

let ids = 0;
function event(sagaId: string, type: string, data: Record<string, unknown> = {}, more: Partial<Envelope> = {}): Envelope {
  return {
    id: `e${++ids}`,
    type,
    version: 1,
    sagaId,
    causationId: null,
    correlationId: null,
    occurredAt: '2026-01-01T00:00:00Z',
    producer: 'test',
    data: { orderId: sagaId, ...data },
    ...more,
  } as Envelope;
}

const apples = (quantity: number) => [{ sku: 'apple', quantity }];

/** Placed, held 3 apples, payment failed, cancelled: its hold kept for the customer. */
function cancelledWithKeptHold(sagaId: string): Envelope[] {
  return [
    event(sagaId, 'OrderCreated'),
    event(sagaId, 'StockReserved', { items: [{ sku: 'apple', quantity: 3, unitPrice: 100 }], total: 300 }),
    event(sagaId, 'PaymentFailed'),
    event(sagaId, 'OrderCancelled', { reason: 'payment_failed' }),
  ];
}

function confirmed(sagaId: string): Envelope[] {
  const items = [{ sku: 'apple', quantity: 3, unitPrice: 100 }];
  return [event(sagaId, 'OrderCreated'), event(sagaId, 'StockReserved', { items, total: 300 }), event(sagaId, 'PaymentSucceeded'), event(sagaId, 'OrderConfirmed'), event(sagaId, 'StockCommitted')];
}

// ---- specs ----------------------------------------------------------------------------------

describe("a saga's events in EVENTS after a chaos run", () => {
  it('accepts a kept hold that went in two parts to two re-orders, its rest released (issue 14: flagged as "emitted 2 times")', () => {
    const events = [
      ...cancelledWithKeptHold('o1'),
      event('o1', 'StockHoldTransferred', { toOrderId: 'o2', items: apples(1), remaining: apples(2) }),
      event('o1', 'StockHoldTransferred', { toOrderId: 'o3', items: apples(1), remaining: apples(1) }),
      event('o1', 'StockReleased', { items: apples(1), reason: 'payment_failed' }),
    ];
    const { violations, coverage } = sagaEventViolations(events);
    assert.deepEqual(violations, []);
    assert.equal(coverage.keptHoldsTaken, 1);
    assert.equal(coverage.keptHoldsSplit, 1);
    assert.equal(coverage.keptHoldsRestReleased, 1);
  });

  it('counts copies of one envelope (re-published after a crash) once', () => {
    const events = confirmed('o1');
    assert.deepEqual(sagaEventViolations([...events, { ...events[3]! }]).violations, []);
  });

  it('flags a kept hold transferred twice to the same re-order, or more than it held', () => {
    const twice = [
      ...cancelledWithKeptHold('o1'),
      event('o1', 'StockHoldTransferred', { toOrderId: 'o2', items: apples(2), remaining: apples(1) }),
      event('o1', 'StockHoldTransferred', { toOrderId: 'o2', items: apples(2), remaining: [] }),
    ];
    assert.deepEqual(sagaEventViolations(twice).violations, [
      "order o1: StockHoldTransferred emitted 2 times for one re-order and partition's skus (o2 apple)",
      'order o1: 4 of apple transferred to re-orders but it held 3',
    ]);
  });

  it('flags a hold transferred from an order that was never cancelled', () => {
    const events = [...confirmed('o1'), event('o1', 'StockHoldTransferred', { toOrderId: 'o2', items: apples(1), remaining: [] })];
    assert.deepEqual(sagaEventViolations(events).violations, ['order o1: StockHoldTransferred but never cancelled']);
  });

  it('flags any other event emitted twice, and two terminal events', () => {
    const events = [...cancelledWithKeptHold('o1'), event('o1', 'OrderCancelled', { reason: 'timeout' }), event('o1', 'OrderConfirmed'), event('o1', 'StockCommitted')];
    assert.deepEqual(sagaEventViolations(events).violations, ['order o1: OrderCancelled emitted 2 times', 'order o1: 2 terminal events in EVENTS']);
  });

  it('accepts a refund asked twice (the second refused) and carried through', () => {
    const events = [
      ...confirmed('o1'),
      event('o1', 'RefundRequested', {}, { causationId: 'cmd-1' }),
      event('o1', 'RefundRejected', { reason: 'already_refunded' }, { causationId: 'cmd-2' }),
      event('o1', 'PaymentRefunded'),
      event('o1', 'StockRestocked'),
      event('o1', 'OrderRefunded'),
      event('o1', 'RefundRejected', { reason: 'already_refunded' }, { causationId: 'cmd-3' }),
    ];
    const { violations, coverage } = sagaEventViolations(events);
    assert.deepEqual(violations, []);
    assert.equal(coverage.refunded, 1);
    assert.equal(coverage.refundsRejected, 2);
  });

  it('flags a refund not carried through, and one refusal of one command emitted twice', () => {
    const events = [
      ...confirmed('o1'),
      event('o1', 'RefundRequested', {}, { causationId: 'cmd-1' }),
      event('o1', 'PaymentRefunded'),
      event('o1', 'RefundRejected', { reason: 'already_refunded' }, { causationId: 'cmd-2' }),
      event('o1', 'RefundRejected', { reason: 'already_refunded' }, { causationId: 'cmd-2' }),
    ];
    assert.deepEqual(sagaEventViolations(events).violations, [
      'order o1: RefundRejected emitted 2 times for one RequestRefund (cmd-2)',
      'order o1: refund requested but not carried through (no StockRestocked, OrderRefunded)',
    ]);
  });

  it('accepts one StockPartHeld and one StockCommitted per inventory partition, each about its own skus, and flags a sku never committed', () => {
    const items = [{ sku: 'apple', quantity: 1, unitPrice: 100 }, { sku: 'lime', quantity: 1, unitPrice: 50 }];
    const parts = [
      event('o1', 'OrderCreated', { items }),
      event('o1', 'StockPartHeld', { items, part: 0, parts: [0, 1] }),
      event('o1', 'StockPartHeld', { items, part: 1, parts: [0, 1] }),
      event('o1', 'StockReserved', { items, total: 150 }),
      event('o1', 'PaymentSucceeded'),
      event('o1', 'OrderConfirmed', { items }),
      event('o1', 'StockCommitted', { items: [{ sku: 'lime', quantity: 1 }] }),
    ];
    assert.deepEqual(sagaEventViolations(parts).violations, ['order o1: confirmed but not all its stock was committed (StockCommitted of every sku)']);
    const whole = [...parts, event('o1', 'StockCommitted', { items: [{ sku: 'apple', quantity: 1 }] })];
    assert.deepEqual(sagaEventViolations(whole).violations, []);
    assert.deepEqual(sagaEventViolations([...whole, event('o1', 'StockPartHeld', { items, part: 1, parts: [0, 1] })]).violations, [
      'order o1: StockPartHeld emitted 2 times for one partition (1)',
    ]);
  });

  it('accepts a kept hold of a part that held (StockPartHeld) before the order was cancelled, with no StockReserved', () => {
    const items = [{ sku: 'apple', quantity: 2, unitPrice: 100 }, { sku: 'lime', quantity: 1, unitPrice: 50 }];
    const events = [
      event('o1', 'OrderCreated', { items }),
      event('o1', 'StockPartHeld', { items, part: 1, parts: [0, 1] }),
      event('o1', 'OrderCancelled', { items, reason: 'timeout' }),
      event('o1', 'StockHoldTransferred', { toOrderId: 'o2', items: apples(2), remaining: [] }),
    ];
    assert.deepEqual(sagaEventViolations(events).violations, []);
    assert.deepEqual(sagaEventViolations([...events.slice(0, 1), ...events.slice(2)]).violations, ['order o1: StockHoldTransferred but nothing was held (no StockReserved)']);
  });

  it('accepts a charge that landed after the deadline when it was refunded, and flags it when not', () => {
    const late = [event('o1', 'OrderCreated'), event('o1', 'StockReserved'), event('o1', 'OrderCancelled', { reason: 'timeout' }), event('o1', 'PaymentSucceeded'), event('o1', 'StockReleased')];
    assert.deepEqual(sagaEventViolations(late).violations, ['order o1: charged and cancelled (timeout) but never refunded (no PaymentRefunded)']);
    const { violations, coverage } = sagaEventViolations([...late, event('o1', 'PaymentRefunded')]);
    assert.deepEqual(violations, []);
    assert.equal(coverage.lateChargesRefunded, 1);
    assert.deepEqual(coverage.cancelled, { timeout: 1 });
  });
});
