import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type OrderItem, partitionOf } from '@jetsaga/events';
import { message, routerSpec } from '@jetsaga/messaging';
import type { InventoryState, PartAnswer, Reservation, StockLevel } from './decide.js';
import { react } from './react.js';

// With 2 partitions: lime lives in partition 0, apple and pear in 1; order-1 is decided by 1.
const p0 = { index: 0, count: 2 };
const p1 = { index: 1, count: 2 };
const spec = routerSpec(react, { settings: { releaseDelayMs: 0 } });

function level(sku: string, available: number, held = 0): StockLevel {
  return { sku, available, held, sold: 0, received: available + held };
}

function state(levels: StockLevel[], prices: Record<string, number>, reservation?: Reservation): InventoryState {
  return { reservation, stock: new Map(levels.map((l) => [l.sku, l])), keptHolds: [], prices: new Map(Object.entries(prices)) };
}

const item = (sku: string, quantity: number, unitPrice = 100): OrderItem => ({ sku, quantity, unitPrice });
const summary = (items: OrderItem[]) => ({ orderId: 'order-1', customerId: 'cust-1', items, total: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) });
const mixed = summary([item('apple', 2), item('lime', 1)]);
const created = (o = mixed) => message('OrderCreated', o, 'order-1');
const heldLime: Reservation = { orderId: 'order-1', customerId: 'cust-1', status: 'HELD', lines: [{ sku: 'lime', quantity: 1 }] };

describe('inventory partitioned: the skus of the test', () => {
  it('live where the cases say (a change of hash shows here first)', () => {
    assert.deepEqual(['lime', 'apple', 'pear', 'order-1'].map((k) => partitionOf(k, 2)), [0, 1, 1, 1]);
  });
});

describe('OrderCreated at a partition', () => {
  it('holds only its own skus of an order that spans partitions, and answers StockPartHeld to the deciding partition', () => {
    spec
      .given(state([level('lime', 5)], { lime: 100 }))
      .when(created(), { partition: p0 })
      .then({
        changes: { reservation: heldLime, stock: [level('lime', 4, 1)] },
        events: [{ type: 'StockPartHeld', data: { ...mixed, part: 0, parts: [0, 1] } }],
      });
  });

  it('refuses its part, holding nothing, when one of its skus is short', () => {
    spec
      .given(state([level('lime', 0)], { lime: 100 }))
      .when(created(), { partition: p0 })
      .then({
        changes: { reservation: { orderId: 'order-1', customerId: 'cust-1', status: 'REJECTED', lines: [] }, stock: [] },
        events: [{ type: 'StockPartRefused', data: { orderId: 'order-1', part: 0, parts: [0, 1], reason: 'out_of_stock', shortages: [{ sku: 'lime', requested: 1, available: 0 }] } }],
      });
  });

  it('decides the whole order at once when it owns every sku, as one inventory would', () => {
    const mine = summary([item('apple', 1), item('pear', 1)]);
    const given = state([level('apple', 3), level('pear', 3)], { apple: 100, pear: 100 });
    const partitioned = spec.given(given).when(created(mine), { partition: p1 }).decision();
    assert.deepEqual(partitioned, spec.given(given).when(created(mine)).decision());
    assert.equal(partitioned.events?.[0]?.type, 'StockReserved');
  });

  it('does nothing with an order of none of its skus', () => {
    spec.given(state([], {})).when(created(summary([item('apple', 1)])), { partition: p0 }).thenNothing();
  });
});

describe('the deciding partition (the one owning the order id)', () => {
  const heldData = (part: number) => ({ ...mixed, part, parts: [0, 1] });
  const heldBy = (part: number): PartAnswer => ({ held: true, data: heldData(part) });
  const answers = (...a: PartAnswer[]): InventoryState => ({ reservation: undefined, stock: new Map(), answers: a });

  it('keeps a first answer and waits for the others', () => {
    spec
      .given(answers())
      .when(message('StockPartHeld', heldData(0), 'order-1'), { partition: p1 })
      .then({ changes: { stock: [], partAnswer: heldBy(0) } });
  });

  it('answers StockReserved with the order summary once every part held', () => {
    spec
      .given(answers(heldBy(0)))
      .when(message('StockPartHeld', heldData(1), 'order-1'), { partition: p1 })
      .then({ changes: { stock: [], partAnswer: heldBy(1) }, events: [{ type: 'StockReserved', data: mixed }] });
  });

  it('answers StockReservationFailed when a part refused, with the first reason any part gave and every part\'s skus of it', () => {
    const shortLime = { orderId: 'order-1', part: 0, parts: [0, 1], reason: 'out_of_stock' as const, shortages: [{ sku: 'lime', requested: 1, available: 0 }] };
    const noPrice = { orderId: 'order-1', part: 1, parts: [0, 1], reason: 'not_for_sale' as const, notForSale: ['apple'] };
    spec
      .given(answers({ held: false, data: shortLime }))
      .when(message('StockPartRefused', noPrice, 'order-1'), { partition: p1 })
      .then({
        changes: { stock: [], partAnswer: { held: false, data: noPrice } },
        events: [{ type: 'StockReservationFailed', data: { orderId: 'order-1', reason: 'not_for_sale', notForSale: ['apple'] } }],
      });
    spec
      .given(answers(heldBy(1)))
      .when(message('StockPartRefused', shortLime, 'order-1'), { partition: p1 })
      .then({
        changes: { stock: [], partAnswer: { held: false, data: shortLime } },
        events: [{ type: 'StockReservationFailed', data: { orderId: 'order-1', reason: 'out_of_stock', shortages: shortLime.shortages } }],
      });
  });

  it('takes a second answer of the same part as nothing (decided once)', () => {
    spec.given(answers(heldBy(0), heldBy(1))).when(message('StockPartHeld', heldData(0), 'order-1'), { partition: p1 }).thenNothing();
  });
});

describe('compensation at a partition', () => {
  const cancelled = (reason: 'out_of_stock' | 'timeout') => message('OrderCancelled', { ...mixed, reason }, 'order-1');

  it('releases its hold at once when inventory refused the order elsewhere: no partial hold is kept, whatever the delay', () => {
    spec
      .given(state([level('lime', 4, 1)], {}, heldLime))
      .when(cancelled('out_of_stock'), { partition: p0, settings: { releaseDelayMs: 60_000 } })
      .then({
        changes: { reservation: { ...heldLime, status: 'RELEASED' }, stock: [level('lime', 5)] },
        events: [{ type: 'StockReleased', data: { orderId: 'order-1', items: heldLime.lines, reason: 'order_cancelled' } }],
      });
  });

  it('keeps its hold for the customer on any other cancellation (the kept-holds rule, per partition)', () => {
    const decision = spec.given(state([level('lime', 4, 1)], {}, heldLime)).when(cancelled('timeout'), { partition: p0, settings: { releaseDelayMs: 60_000 } }).decision();
    assert.equal(decision.changes?.reservation?.status, 'RELEASING');
    assert.equal(decision.arm?.length, 1);
  });

  it('leaves no tombstone where it owns none of the skus, and ignores PaymentFailed where it holds nothing', () => {
    spec.given(state([], {})).when(message('OrderCancelled', { ...summary([item('apple', 1)]), reason: 'timeout' }, 'order-1'), { partition: p0 }).thenNothing();
    spec.given(state([], {})).when(message('PaymentFailed', { orderId: 'order-1', customerId: 'cust-1', amount: 300, reason: 'insufficient_funds', balance: 0 }, 'order-1'), { partition: p0 }).thenNothing();
  });
});
