import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type CancelReason, cancelReasons, type EventDraft, type MessageType, type OrderItem } from '@jetsaga/events';
import { type Decision, type Message, message, type ReactContext, type TimerDue, timerDue, type TimerRequest } from '@jetsaga/messaging';
import { type HoldTransfer, type InventoryChanges, type InventoryDecision, type InventoryState, linesOf, type Reservation, type StockLevel } from '../../services/inventory/src/decide.js';
import { type InventoryInput, inventoryMessages, inventoryTimers, react as reactInventory } from '../../services/inventory/src/react.js';
import type { InventorySettings } from '../../services/inventory/src/settings.js';
import { type Account, type Entry, type LoyaltyChanges, type LoyaltyDecision, pointsFor } from '../../services/loyalty/src/decide.js';
import { type LoyaltyInput, loyaltyMessages, react as reactLoyalty } from '../../services/loyalty/src/react.js';
import type { LoyaltySettings } from '../../services/loyalty/src/settings.js';
import { DEADLINE, type Order, type OrderDecision, orderTotal } from '../../services/order/src/decide.js';
import { type OrderInput, orderMessages, react as reactOrder } from '../../services/order/src/react.js';
import type { OrderSettings } from '../../services/order/src/settings.js';
import type { Payment, PaymentChanges, PaymentDecision, Wallet } from '../../services/payment/src/decide.js';
import { type PaymentInput, paymentMessages, react as reactPayment } from '../../services/payment/src/react.js';

/**
 * Properties of the services' decisions (no I/O). Each service gets a tiny pure model of the kit's
 * step: load the state an input needs from the model's world (as the service's store loads it), run
 * the service's REAL router on a real input (a validated envelope, or a due timer), save the
 * decision's changes (as the store's saveChanges writes them), disarm and arm its timers (as the
 * kit does), and record every event it emits. There is no copy of the routing here: which decide
 * function an input reaches is the router's business, so a change in a router shows up in these
 * properties. The inbox is left out on purpose: duplicates reach the routers, which must absorb
 * them themselves.
 */

const ORDER_ID = 'order-1';
const CUSTOMER_ID = 'cust-1';
const SKUS = ['apple', 'pear', 'plum'] as const;
const NOW = new Date('2024-05-01T12:00:00.000Z');
const DEADLINE_MS = 30_000;
const RUNS = { numRuns: 200 };
const ORDER_SETTINGS: OrderSettings = { deadlineMs: DEADLINE_MS };

// ---- shared generators -------------------------------------------------------------------

/** Plain objects (fc.record makes them without a prototype), like the items of a parsed message. */
const itemArb: fc.Arbitrary<OrderItem> = fc
  .record({
    sku: fc.constantFrom(...SKUS),
    quantity: fc.integer({ min: 1, max: 6 }),
    unitPrice: fc.integer({ min: 0, max: 500 }),
  })
  .map((item) => ({ ...item }));

/** 1-3 lines over 3 skus, one line per sku (as the schema allows). */
const itemsArb = fc.uniqueArray(itemArb, { minLength: 1, maxLength: 3, selector: (item) => item.sku });

/** A level whose buckets add up; held and sold belong to other orders. */
function levelArb(sku: string): fc.Arbitrary<StockLevel> {
  return fc
    .record({ available: fc.integer({ min: 0, max: 15 }), held: fc.integer({ min: 0, max: 5 }), sold: fc.integer({ min: 0, max: 5 }) })
    .map(({ available, held, sold }) => ({ sku, available, held, sold, received: available + held + sold }));
}

const stockArb: fc.Arbitrary<ReadonlyMap<string, StockLevel>> = fc
  .tuple(...SKUS.map(levelArb))
  .map((levels) => new Map(levels.map((l) => [l.sku, l])));

const cancelReasonArb = fc.constantFrom<CancelReason>(...cancelReasons);

/** Picks of (which message, where after it) for redeliveries. */
const redeliveriesArb = fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 });

/** All orderings of `xs` (fc.shuffledSubarray at full length is a random permutation). */
function permutationOf<T>(xs: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...xs], { minLength: xs.length, maxLength: xs.length });
}

/**
 * Delivers some messages a second (third...) time: each pick chooses a message that may be
 * redelivered and inserts the same message again at a position after its first delivery.
 */
function withRedeliveries<M>(sequence: readonly M[], picks: ReadonlyArray<readonly [number, number]>, redeliverable: (m: M) => boolean): M[] {
  const out = [...sequence];
  for (const [which, where] of picks) {
    const candidates = out.flatMap((m, i) => (redeliverable(m) ? [i] : []));
    if (candidates.length === 0) continue;
    const i = candidates[which % candidates.length]!;
    const firstDelivery = out.findIndex((m) => m === out[i]);
    const at = firstDelivery + 1 + (where % (out.length - firstDelivery));
    out.splice(at, 0, out[i]!);
  }
  return out;
}

function typesOf(events: readonly EventDraft[]): string[] {
  return events.map((e) => e.type);
}

function count(events: readonly EventDraft[], type: EventDraft['type']): number {
  return events.filter((e) => e.type === type).length;
}

function eventsOf<T extends EventDraft['type']>(events: readonly EventDraft[], type: T): Array<Extract<EventDraft, { type: T }>> {
  return events.filter((e): e is Extract<EventDraft, { type: T }> => e.type === type);
}

function summaryOf(items: OrderItem[], orderId = ORDER_ID) {
  return { orderId, customerId: CUSTOMER_ID, items, total: orderTotal(items) };
}

function assertConserved(stock: ReadonlyMap<string, StockLevel>, label = ''): void {
  for (const l of stock.values()) {
    assert.equal(l.available + l.held + l.sold, l.received, `${label} buckets of ${l.sku} add up to received`);
    assert.ok(l.available >= 0 && l.held >= 0 && l.sold >= 0, `${label} no bucket of ${l.sku} is negative: ${JSON.stringify(l)}`);
  }
}

// ---- the kit's side of a step: inputs, context, timers ---------------------------------------

/** Real inputs of one customer's orders, as the services' consumers receive them (each envelope's data is validated). */
const msg = {
  placeOrder: (items: OrderItem[]) => message('PlaceOrder', { orderId: ORDER_ID, customerId: CUSTOMER_ID, items }, ORDER_ID),
  requestRefund: (reason: string) => message('RequestRefund', { orderId: ORDER_ID, reason }, ORDER_ID),
  creditWallet: (amount: number) => message('CreditWallet', { customerId: CUSTOMER_ID, amount }),
  orderCreated: (items: OrderItem[], orderId = ORDER_ID) => message('OrderCreated', summaryOf(items, orderId), orderId),
  orderConfirmed: (items: OrderItem[], orderId = ORDER_ID) => message('OrderConfirmed', summaryOf(items, orderId), orderId),
  orderCancelled: (items: OrderItem[], reason: CancelReason, orderId = ORDER_ID) =>
    message('OrderCancelled', { ...summaryOf(items, orderId), reason }, orderId),
  orderRefunded: (items: OrderItem[], reason: string, orderId = ORDER_ID) => message('OrderRefunded', { ...summaryOf(items, orderId), reason }, orderId),
  stockReserved: (items: OrderItem[]) => message('StockReserved', summaryOf(items), ORDER_ID),
  stockReservationFailed: (items: OrderItem[]) =>
    message(
      'StockReservationFailed',
      { orderId: ORDER_ID, reason: 'out_of_stock', shortages: linesOf(items).map((l) => ({ sku: l.sku, requested: l.quantity, available: 0 })) },
      ORDER_ID,
    ),
  stockRestocked: (items: OrderItem[]) => message('StockRestocked', { orderId: ORDER_ID, items: linesOf(items) }, ORDER_ID),
  paymentSucceeded: (items: OrderItem[], orderId = ORDER_ID) =>
    message('PaymentSucceeded', { orderId, customerId: CUSTOMER_ID, amount: orderTotal(items), paymentId: `pay-${orderId}` }, orderId),
  paymentFailed: (items: OrderItem[], orderId = ORDER_ID) =>
    message('PaymentFailed', { orderId, customerId: CUSTOMER_ID, amount: orderTotal(items), reason: 'insufficient_funds', balance: 0 }, orderId),
};

function idsFrom(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** What the kit hands a router besides state and input: the time, the service's settings, fresh ids. */
function ctxOf<S>(settings: S, newId: () => string = idsFrom('id')): ReactContext<S> {
  return { now: NOW, settings, newId };
}

/**
 * The kit's timer rows, named `kind:key`: arming a timer that has a row (even a fired one) does
 * nothing, disarming marks it fired, and a fired timer never fires again.
 */
interface TimerRow {
  request: TimerRequest;
  fired: boolean;
}

type Timers = ReadonlyMap<string, TimerRow>;

const timerId = (t: { kind: string; key: string }) => `${t.kind}:${t.key}`;

/** A decision's timers, as the kit's step applies them: disarm first, then arm. */
function applyTimers(timers: Timers, d: Decision<unknown>): Timers {
  if (!d.arm?.length && !d.disarm?.length) return timers;
  const next = new Map(timers);
  for (const t of d.disarm ?? []) {
    const row = next.get(timerId(t));
    if (row && !row.fired) next.set(timerId(t), { ...row, fired: true });
  }
  for (const t of d.arm ?? []) if (!next.has(timerId(t))) next.set(timerId(t), { request: t, fired: false });
  return next;
}

/** The timers armed and not fired, soonest first. */
function armedTimers(timers: Timers): TimerRequest[] {
  return [...timers.values()].filter((t) => !t.fired).map((t) => t.request).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * The timer `kind:key` comes due: if it is armed it is marked fired and its input (its payload
 * through JSON, as stored) goes to the router; a disarmed or fired timer delivers nothing.
 */
function takeDue<K extends string>(timers: Timers, kind: K, key: string): [Timers, TimerDue<K> | undefined] {
  const row = timers.get(timerId({ kind, key }));
  if (!row || row.fired) return [timers, undefined];
  const next = new Map(timers);
  next.set(timerId({ kind, key }), { ...row, fired: true });
  return [next, timerDue(kind, key, JSON.parse(JSON.stringify(row.request.payload ?? null)) as unknown)];
}

// ---- inventory model ---------------------------------------------------------------------

type InventoryMessage =
  | { type: 'OrderCreated' }
  | { type: 'OrderConfirmed' }
  | { type: 'PaymentFailed' }
  | { type: 'OrderCancelled'; reason: CancelReason };

type InventoryTimer = (typeof inventoryTimers)[number];

interface InventoryWorld {
  reservations: ReadonlyMap<string, Reservation>;
  stock: ReadonlyMap<string, StockLevel>;
  /** The price list: here it agrees with the order's prices (a refusal for prices is tested in the router's spec). */
  prices: ReadonlyMap<string, number>;
  transfers: readonly HoldTransfer[];
  /** The ReleaseHold timers: armed once (first arm wins), fire once. */
  timers: Timers;
}

interface InventoryRun {
  world: InventoryWorld;
  events: EventDraft[];
}

/** A price list that agrees with the order's unit prices. */
function priceListOf(items: readonly OrderItem[]): ReadonlyMap<string, number> {
  return new Map(items.map((i) => [i.sku, i.unitPrice]));
}

function inventoryOf(stock: ReadonlyMap<string, StockLevel>, prices: ReadonlyMap<string, number>): InventoryWorld {
  return { reservations: new Map(), stock, prices, transfers: [], timers: new Map() };
}

/** As inventory's store loads it: the order's reservation and the stock (all of it here: a decision reads only its skus); a new order also gets its customer's kept holds and the prices. */
function loadInventory(world: InventoryWorld, input: InventoryInput): InventoryState {
  switch (input.type) {
    case 'SetStock':
      return { reservation: undefined, stock: world.stock };
    case 'SetPrice':
      return { reservation: undefined, stock: new Map() };
    case 'OrderCreated': {
      const keptHolds = [...world.reservations.values()].filter((r) => r.customerId === input.data.customerId && r.status === 'RELEASING');
      return { reservation: world.reservations.get(input.data.orderId), stock: world.stock, keptHolds, prices: world.prices };
    }
    case 'ReleaseHold':
      return { reservation: world.reservations.get(input.key), stock: world.stock };
    default:
      return { reservation: world.reservations.get(input.data.orderId), stock: world.stock };
  }
}

/**
 * As inventory's saveChanges writes them: a new reservation as it is, an existing one takes its new
 * status (its customer and lines stay; a line of a new sku is added); a kept hold a re-order took
 * from gets its status and remaining lines; transfers are appended; levels overwritten.
 */
function saveInventory(world: InventoryWorld, changes: InventoryChanges): InventoryWorld {
  const reservations = new Map(world.reservations);
  const r = changes.reservation;
  if (r) {
    const before = reservations.get(r.orderId);
    const lines = before ? [...before.lines, ...r.lines.filter((l) => !before.lines.some((b) => b.sku === l.sku))] : r.lines;
    reservations.set(r.orderId, before ? { ...before, status: r.status, lines } : r);
  }
  for (const hold of changes.keptHolds ?? []) {
    const before = reservations.get(hold.orderId);
    if (before) reservations.set(hold.orderId, { ...before, status: hold.status, lines: hold.lines });
  }
  const stock = new Map(world.stock);
  for (const l of changes.stock) stock.set(l.sku, l);
  const prices = new Map(world.prices);
  for (const p of changes.prices ?? []) prices.set(p.sku, p.unitPrice);
  return { reservations, stock, prices, transfers: [...world.transfers, ...(changes.transfers ?? [])], timers: world.timers };
}

/** One step of inventory: load, its real router, save, timers. */
function deliverToInventory(world: InventoryWorld, input: InventoryInput, settings: InventorySettings): [InventoryWorld, InventoryDecision] {
  const d = reactInventory(loadInventory(world, input), input, ctxOf(settings));
  const saved = d.changes ? saveInventory(world, d.changes) : world;
  return [{ ...saved, timers: applyTimers(saved.timers, d) }, d];
}

function inventoryTimer(kind: string): InventoryTimer {
  assert.ok((inventoryTimers as readonly string[]).includes(kind), `inventory has no timer of kind ${kind}`);
  return kind as InventoryTimer;
}

/** Every timer armed at this point comes due and fires, soonest first. */
function fireInventoryTimers(world: InventoryWorld, deliver: (w: InventoryWorld, input: InventoryInput) => InventoryWorld): InventoryWorld {
  for (const t of armedTimers(world.timers)) {
    const [timers, due] = takeDue(world.timers, inventoryTimer(t.kind), t.key);
    world = { ...world, timers };
    if (due) world = deliver(world, due);
  }
  return world;
}

function reservationOf(world: InventoryWorld, orderId = ORDER_ID): Reservation | undefined {
  return world.reservations.get(orderId);
}

function inventoryInput(items: OrderItem[], m: InventoryMessage): InventoryInput {
  switch (m.type) {
    case 'OrderCreated':
      return msg.orderCreated(items);
    case 'OrderConfirmed':
      return msg.orderConfirmed(items);
    case 'PaymentFailed':
      return msg.paymentFailed(items);
    case 'OrderCancelled':
      return msg.orderCancelled(items, m.reason);
  }
}

/** Delivers the messages in order, then lets an armed release timer fire (it always does, eventually). */
function runInventory(stock: ReadonlyMap<string, StockLevel>, items: OrderItem[], messages: readonly InventoryMessage[], delayMs: number): InventoryRun {
  const settings: InventorySettings = { releaseDelayMs: delayMs };
  const events: EventDraft[] = [];
  const deliver = (w: InventoryWorld, input: InventoryInput): InventoryWorld => {
    const [next, decision] = deliverToInventory(w, input, settings);
    events.push(...(decision.events ?? []));
    assertConserved(next.stock, `after ${input.type}:`);
    return next;
  };
  let world = inventoryOf(stock, priceListOf(items));
  for (const m of messages) world = deliver(world, inventoryInput(items, m));
  world = fireInventoryTimers(world, deliver);
  return { world, events };
}

const created: InventoryMessage = { type: 'OrderCreated' };
const confirmed: InventoryMessage = { type: 'OrderConfirmed' };
const paymentFailed: InventoryMessage = { type: 'PaymentFailed' };
const cancelledBy = (reason: CancelReason): InventoryMessage => ({ type: 'OrderCancelled', reason });

/**
 * Delivery orders a real run can hand to inventory for one order. OrderConfirmed, PaymentFailed and
 * an out_of_stock / payment_failed cancellation all follow inventory's own answer to OrderCreated;
 * only the deadline (timeout) can overtake OrderCreated.
 */
const inventoryRunArb: fc.Arbitrary<InventoryMessage[]> = fc.oneof(
  fc.constant<InventoryMessage[]>([created, confirmed]),
  fc.constant<InventoryMessage[]>([created, cancelledBy('out_of_stock')]),
  permutationOf([paymentFailed, cancelledBy('payment_failed')]).map((rest) => [created, ...rest]),
  permutationOf([created, cancelledBy('timeout')]),
  // the deadline passed while payment was failing: PaymentFailed still follows OrderCreated
  permutationOf([created, paymentFailed, cancelledBy('timeout')]).filter((s) => s.indexOf(created) < s.indexOf(paymentFailed)),
);

describe('inventory saga properties', () => {
  it('delivering any message twice, anywhere after its first delivery, changes neither the end state nor the events', () => {
    fc.assert(
      fc.property(stockArb, itemsArb, inventoryRunArb, redeliveriesArb, fc.constantFrom(0, 5_000), (stock, items, once, picks, delayMs) => {
        // given a delivery order a real run can produce, and the same with redeliveries
        const twice = withRedeliveries(once, picks, () => true);

        // when both are delivered through inventory's router
        const a = runInventory(stock, items, once, delayMs);
        const b = runInventory(stock, items, twice, delayMs);

        // then the end state and the full list of emitted events are the same
        assert.deepEqual(b.world, a.world);
        assert.deepEqual(b.events, a.events);
      }),
      RUNS,
    );
  });

  it('OrderCreated and OrderCancelled in any order end with nothing held and every bucket where it started', () => {
    fc.assert(
      fc.property(
        stockArb,
        itemsArb,
        fc
          .constantFrom<InventoryMessage[]>([created, cancelledBy('timeout')], [created, paymentFailed, cancelledBy('timeout')])
          .chain((set) => permutationOf(set).map((shuffled) => ({ set, shuffled }))),
        fc.constantFrom(0, 5_000),
        (stock, items, { set, shuffled }, delayMs) => {
          // given the message set of a timed-out order, in order and in any other order
          const inOrder = runInventory(stock, items, set, delayMs);

          // when delivered shuffled
          const run = runInventory(stock, items, shuffled, delayMs);

          // then nothing is held or sold for the order: every level is back where it started
          assert.deepEqual(run.world.stock, stock);
          assert.deepEqual(run.world.stock, inOrder.world.stock);
          assertConserved(run.world.stock);
          // and the reservation ended in a terminal status
          assert.ok(['RELEASED', 'REJECTED', 'CANCELLED'].includes(reservationOf(run.world)?.status ?? ''), `ended ${reservationOf(run.world)?.status}`);
          // and a hold was released exactly when one was made, never reserved after a release
          const types = typesOf(run.events);
          assert.ok(count(run.events, 'StockReserved') <= 1, types.join());
          assert.equal(count(run.events, 'StockReleased'), count(run.events, 'StockReserved'), types.join());
          assert.equal(count(run.events, 'StockCommitted'), 0, types.join());
          const released = types.indexOf('StockReleased');
          assert.ok(released === -1 || types.lastIndexOf('StockReserved') < released, types.join());
          // and a cancellation that overtakes OrderCreated is a barrier: nothing is ever reserved
          if (shuffled.indexOf(created) > 0) assert.equal(count(run.events, 'StockReserved'), 0, types.join());
        },
      ),
      RUNS,
    );
  });

  it('every permutation of OrderCreated, PaymentFailed and OrderCancelled holds nothing at the end', () => {
    // stronger than a real run needs: here even PaymentFailed may overtake OrderCreated
    fc.assert(
      fc.property(stockArb, itemsArb, permutationOf([created, paymentFailed, cancelledBy('payment_failed')]), fc.constantFrom(0, 5_000), (stock, items, order, delayMs) => {
        const run = runInventory(stock, items, order, delayMs);

        assert.deepEqual(run.world.stock, stock);
        assert.equal(count(run.events, 'StockReleased'), count(run.events, 'StockReserved'));
        assert.ok(count(run.events, 'StockReleased') <= 1);
        if (order.indexOf(created) > 0) assert.equal(count(run.events, 'StockReserved'), 0, 'a cancellation before OrderCreated is a barrier');
      }),
      RUNS,
    );
  });
});

// ---- payment model -----------------------------------------------------------------------

type PaymentMessage =
  | { id: string; type: 'StockReserved' }
  | { id: string; type: 'OrderCancelled'; reason: CancelReason }
  | { id: string; type: 'CreditWallet'; amount: number };

interface PaymentWorld {
  wallet: Wallet | undefined;
  payment: Payment | undefined;
}

interface PaymentRun {
  world: PaymentWorld;
  events: EventDraft[];
}

/** As payment's saveChanges writes them: the wallet overwritten; a new payment as it is, an existing one takes only its new status. */
function savePayment(world: PaymentWorld, { wallet, payment }: PaymentChanges): PaymentWorld {
  return { wallet: wallet ?? world.wallet, payment: payment ? (world.payment ? { ...world.payment, status: payment.status } : payment) : world.payment };
}

/** One step of payment: load (the customer's wallet and, for an order's message, its payment), its real router, save. */
function deliverToPayment(world: PaymentWorld, input: PaymentInput, newId: () => string): [PaymentWorld, PaymentDecision] {
  const state = { wallet: world.wallet, payment: input.type === 'CreditWallet' ? undefined : world.payment };
  const d = reactPayment(state, input, ctxOf(undefined, newId));
  return [d.changes ? savePayment(world, d.changes) : world, d];
}

function paymentInput(items: OrderItem[], m: PaymentMessage): PaymentInput {
  switch (m.type) {
    case 'StockReserved':
      return msg.stockReserved(items);
    case 'OrderCancelled':
      return msg.orderCancelled(items, m.reason);
    case 'CreditWallet':
      return msg.creditWallet(m.amount);
  }
}

/**
 * Delivers the messages. The kit's newId is fresh on every delivery; here it is derived from the
 * message and how often it was delivered, so a redelivery gets a fresh id that must not leak into state.
 */
function runPayment(wallet: Wallet | undefined, items: OrderItem[], messages: readonly PaymentMessage[]): PaymentRun {
  let world: PaymentWorld = { wallet, payment: undefined };
  const events: EventDraft[] = [];
  const deliveries = new Map<string, number>();
  for (const m of messages) {
    const n = (deliveries.get(m.id) ?? 0) + 1;
    deliveries.set(m.id, n);
    const [next, decision] = deliverToPayment(world, paymentInput(items, m), idsFrom(`pay-${m.id}-${n}`));
    world = next;
    events.push(...(decision.events ?? []));
    assert.ok((world.wallet?.balance ?? 0) >= 0, `balance never negative after ${m.type}`);
  }
  return { world, events };
}

const walletArb: fc.Arbitrary<Wallet | undefined> = fc.option(
  fc.integer({ min: 0, max: 4_000 }).map((balance) => ({ customerId: CUSTOMER_ID, balance, credited: balance })),
  { nil: undefined },
);

const stockReserved: PaymentMessage = { id: 'reserved', type: 'StockReserved' };
const paymentCancelled = (reason: CancelReason): PaymentMessage => ({ id: 'cancelled', type: 'OrderCancelled', reason });
const creditArb: fc.Arbitrary<PaymentMessage> = fc.integer({ min: 1, max: 3_000 }).map((amount) => ({ id: 'credit', type: 'CreditWallet', amount }));

/** What payment can be handed for one order: StockReserved and/or OrderCancelled in any order, maybe a top-up between. */
const paymentRunArb: fc.Arbitrary<PaymentMessage[]> = fc
  .tuple(fc.constantFrom('reserved only', 'cancelled only', 'both'), cancelReasonArb, fc.option(creditArb, { nil: undefined }))
  .chain(([shape, reason, credit]) => {
    const saga =
      shape === 'reserved only' ? [stockReserved] : shape === 'cancelled only' ? [paymentCancelled(reason)] : [stockReserved, paymentCancelled(reason)];
    return permutationOf(credit ? [...saga, credit] : saga);
  });

function balanceOf(world: PaymentWorld): number {
  return world.wallet?.balance ?? 0;
}

function creditsIn(messages: readonly PaymentMessage[]): number {
  return messages.reduce((sum, m) => sum + (m.type === 'CreditWallet' ? m.amount : 0), 0);
}

describe('payment saga properties', () => {
  it('delivering any saga message twice, anywhere after its first delivery, changes neither the end state nor the events', () => {
    fc.assert(
      fc.property(walletArb, itemsArb, paymentRunArb, redeliveriesArb, (wallet, items, once, picks) => {
        // given a delivery; CreditWallet is a command deduplicated by the inbox, so only saga events are redelivered
        const twice = withRedeliveries(once, picks, (m) => m.type !== 'CreditWallet');

        const a = runPayment(wallet, items, once);
        const b = runPayment(wallet, items, twice);

        assert.deepEqual(b.world, a.world);
        assert.deepEqual(b.events, a.events);
      }),
      RUNS,
    );
  });

  it('StockReserved and OrderCancelled in any order leave the balance where it started, refunding only what was charged', () => {
    fc.assert(
      fc.property(
        walletArb,
        itemsArb,
        fc
          .tuple(cancelReasonArb, fc.option(creditArb, { nil: undefined }))
          .map(([reason, credit]) => (credit ? [stockReserved, paymentCancelled(reason), credit] : [stockReserved, paymentCancelled(reason)]))
          .chain((set) => permutationOf(set).map((shuffled) => ({ set, shuffled }))),
        (wallet, items, { set, shuffled }) => {
          // given the messages of a cancelled order (and maybe a top-up), in order and shuffled

          // when each is folded
          const inOrder = runPayment(wallet, items, set);
          const run = runPayment(wallet, items, shuffled);

          // then the wallet holds its starting balance plus any top-up, whatever the order
          const expected = (wallet?.balance ?? 0) + creditsIn(set);
          assert.equal(balanceOf(run.world), expected);
          assert.equal(balanceOf(run.world), balanceOf(inOrder.world));
          // and at most one charge and one refund, a refund only of a charge that was made, of the same amount and id
          const succeeded = eventsOf(run.events, 'PaymentSucceeded');
          const refunded = eventsOf(run.events, 'PaymentRefunded');
          assert.ok(succeeded.length <= 1 && refunded.length <= 1, typesOf(run.events).join());
          assert.equal(refunded.length, succeeded.length, typesOf(run.events).join());
          if (succeeded[0] && refunded[0]) {
            assert.ok(typesOf(run.events).indexOf('PaymentSucceeded') < typesOf(run.events).indexOf('PaymentRefunded'));
            assert.equal(refunded[0].data.amount, succeeded[0].data.amount);
            assert.equal(refunded[0].data.paymentId, succeeded[0].data.paymentId);
          }
          // and the payment ended in a terminal status
          assert.ok(['REFUNDED', 'VOIDED', 'FAILED'].includes(run.world.payment?.status ?? ''), `ended ${run.world.payment?.status}`);
        },
      ),
      RUNS,
    );
  });

  it('a StockReserved that is never cancelled charges the total at most once, moving exactly that much', () => {
    fc.assert(
      fc.property(walletArb, itemsArb, fc.integer({ min: 1, max: 4 }), (wallet, items, deliveries) => {
        const run = runPayment(wallet, items, Array.from({ length: deliveries }, () => stockReserved));

        const charged = count(run.events, 'PaymentSucceeded');
        assert.equal(charged + count(run.events, 'PaymentFailed'), 1);
        assert.equal(balanceOf(run.world), (wallet?.balance ?? 0) - charged * orderTotal(items));
      }),
      RUNS,
    );
  });
});

// ---- order model -------------------------------------------------------------------------

type OrderMessage =
  | { type: 'PlaceOrder' }
  | { type: 'PaymentSucceeded' }
  | { type: 'PaymentFailed' }
  | { type: 'StockReservationFailed' }
  | { type: 'DeadlineFired' }
  | { type: 'RequestRefund'; reason: string }
  | { type: 'StockRestocked' };

interface OrderWorld {
  order: Order | undefined;
  /** The kit's timer rows (the order's deadline). */
  timers: Timers;
  /** Every timer the router asked to arm, in order. */
  armed: TimerRequest[];
}

interface OrderRun {
  world: OrderWorld;
  events: EventDraft[];
  /** The status after each delivery. */
  trace: Array<Order['status'] | undefined>;
}

const noOrder: OrderWorld = { order: undefined, timers: new Map(), armed: [] };

/** As order's saveChanges writes it: a new order as it is, an existing one takes only its status and reasons. */
function saveOrder(before: Order | undefined, order: Order): Order {
  return before ? { ...before, status: order.status, cancelReason: order.cancelReason, refundReason: order.refundReason } : order;
}

/** One step of order: load, its real router, save, timers. */
function deliverToOrder(world: OrderWorld, input: OrderInput, settings: OrderSettings = ORDER_SETTINGS): [OrderWorld, OrderDecision] {
  const d = reactOrder({ order: world.order }, input, ctxOf(settings));
  const order = d.changes ? saveOrder(world.order, d.changes.order) : world.order;
  return [{ order, timers: applyTimers(world.timers, d), armed: [...world.armed, ...(d.arm ?? [])] }, d];
}

/**
 * The input a message of the run hands order. DeadlineFired is the deadline coming due: it
 * reaches the router only if the deadline is armed (then it fires, once); a disarmed one is silent.
 */
function orderInput(world: OrderWorld, items: OrderItem[], m: OrderMessage): [OrderWorld, OrderInput | undefined] {
  switch (m.type) {
    case 'PlaceOrder':
      return [world, msg.placeOrder(items)];
    case 'PaymentSucceeded':
      return [world, msg.paymentSucceeded(items)];
    case 'PaymentFailed':
      return [world, msg.paymentFailed(items)];
    case 'StockReservationFailed':
      return [world, msg.stockReservationFailed(items)];
    case 'DeadlineFired': {
      const [timers, due] = takeDue(world.timers, DEADLINE, ORDER_ID);
      return [{ ...world, timers }, due];
    }
    case 'RequestRefund':
      return [world, msg.requestRefund(m.reason)];
    case 'StockRestocked':
      return [world, msg.stockRestocked(items)];
  }
}

function runOrder(items: OrderItem[], messages: readonly OrderMessage[]): OrderRun {
  let world: OrderWorld = noOrder;
  const events: EventDraft[] = [];
  const trace: OrderRun['trace'] = [];
  for (const m of messages) {
    const [ready, input] = orderInput(world, items, m);
    world = ready;
    if (input) {
      const [next, d] = deliverToOrder(world, input);
      world = next;
      events.push(...(d.events ?? []));
    }
    trace.push(world.order?.status);
  }
  return { world, events, trace };
}

const place: OrderMessage = { type: 'PlaceOrder' };
const deadline: OrderMessage = { type: 'DeadlineFired' };
const outcomeArb = fc.constantFrom<OrderMessage>({ type: 'PaymentSucceeded' }, { type: 'PaymentFailed' }, { type: 'StockReservationFailed' });

/** PlaceOrder first (it arms the deadline), then the saga's answer and the deadline in either order. */
const orderRunArb: fc.Arbitrary<OrderMessage[]> = outcomeArb.chain((outcome) => permutationOf([outcome, deadline]).map((rest) => [place, ...rest]));

const cancelReasonOf: Record<OrderMessage['type'], CancelReason | null> = {
  PlaceOrder: null,
  PaymentSucceeded: null,
  PaymentFailed: 'payment_failed',
  StockReservationFailed: 'out_of_stock',
  DeadlineFired: 'timeout',
  RequestRefund: null,
  StockRestocked: null,
};

describe('order saga properties', () => {
  it('delivering any message twice, anywhere after its first delivery, changes neither the end state nor the events', () => {
    fc.assert(
      fc.property(itemsArb, orderRunArb, redeliveriesArb, (items, once, picks) => {
        const twice = withRedeliveries(once, picks, () => true);

        const a = runOrder(items, once);
        const b = runOrder(items, twice);

        assert.deepEqual(b.world, a.world);
        assert.deepEqual(b.events, a.events);
        // and exactly one deadline is armed however often PlaceOrder arrives
        assert.deepEqual(b.world.armed, [{ kind: DEADLINE, key: ORDER_ID, dueAt: new Date(NOW.getTime() + DEADLINE_MS) }]);
      }),
      RUNS,
    );
  });

  it('the answer and the deadline in any order end with one terminal event, decided by whichever came first', () => {
    fc.assert(
      fc.property(itemsArb, orderRunArb, (items, messages) => {
        const run = runOrder(items, messages);

        // then once terminal the order stays so: never CONFIRMED after CANCELLED, nor the reverse
        const terminal = run.trace.findIndex((s) => s === 'CONFIRMED' || s === 'CANCELLED');
        assert.ok(terminal > 0, run.trace.join());
        for (const s of run.trace.slice(terminal)) assert.equal(s, run.trace[terminal], run.trace.join());

        // and exactly one terminal event, matching the final status
        const terminalEvents = run.events.filter((e) => e.type === 'OrderConfirmed' || e.type === 'OrderCancelled');
        assert.equal(terminalEvents.length, 1, typesOf(run.events).join());
        assert.deepEqual(typesOf(run.events), ['OrderCreated', run.world.order?.status === 'CONFIRMED' ? 'OrderConfirmed' : 'OrderCancelled']);

        // and the first message after PlaceOrder decides: confirmed by a payment, else cancelled with its reason
        const first = messages[1]!;
        const reason = cancelReasonOf[first.type];
        assert.equal(run.world.order?.status, reason ? 'CANCELLED' : 'CONFIRMED');
        assert.equal(run.world.order?.cancelReason, reason);
      }),
      RUNS,
    );
  });

  it('a failed step and the deadline end CANCELLED in every order, as the in-order delivery does', () => {
    fc.assert(
      fc.property(itemsArb, fc.constantFrom<OrderMessage>({ type: 'PaymentFailed' }, { type: 'StockReservationFailed' }), fc.boolean(), (items, failure, deadlineFirst) => {
        const inOrder = runOrder(items, [place, failure, deadline]);
        const run = runOrder(items, deadlineFirst ? [place, deadline, failure] : [place, failure, deadline]);

        assert.equal(run.world.order?.status, 'CANCELLED');
        assert.equal(run.world.order?.status, inOrder.world.order?.status);
        assert.equal(count(run.events, 'OrderCancelled'), 1);
        assert.equal(count(run.events, 'OrderConfirmed'), 0);
      }),
      RUNS,
    );
  });
});

// ---- stock conservation --------------------------------------------------------------------

type Ending = 'commit' | 'release' | 'delayed release';

describe('stock conservation', () => {
  it('reserve then commit or release keeps available + held + sold == received per sku, no bucket negative', () => {
    fc.assert(
      fc.property(
        stockArb,
        fc
          .array(fc.tuple(itemsArb, fc.constantFrom<Ending>('commit', 'release', 'delayed release')), { minLength: 1, maxLength: 5 })
          .chain((orders) => permutationOf(orders.map((o, i) => [i, o[1]] as const)).map((endings) => ({ orders, endings }))),
        (initial, { orders, endings }) => {
          // given random stock levels and several multi-line orders over the same skus
          const received = (s: ReadonlyMap<string, StockLevel>) => SKUS.map((sku) => s.get(sku)?.received);
          const deliver = (releaseDelayMs: number) => (w: InventoryWorld, input: InventoryInput) => {
            const [next] = deliverToInventory(w, input, { releaseDelayMs });
            assertConserved(next.stock);
            assert.deepEqual(received(next.stock), received(initial), 'received never changes');
            return next;
          };
          // at one price list, which every order agrees with (refusals for prices are the router spec's)
          const catalog = new Map<string, number>(SKUS.map((sku, i) => [sku, 100 * i]));
          const atCatalog = (items: OrderItem[]) => items.map((it) => ({ ...it, unitPrice: catalog.get(it.sku)! }));
          let world = inventoryOf(new Map(initial), catalog);

          // when every order is reserved in turn
          orders.forEach(([placed], i) => {
            const items = atCatalog(placed);
            const orderId = `order-${i}`;
            const before = world.stock;
            world = deliver(0)(world, msg.orderCreated(items, orderId));
            // then a refused order moves nothing, an accepted one moves exactly its lines to held
            if (reservationOf(world, orderId)?.status === 'REJECTED') assert.deepEqual(world.stock, before);
            else
              for (const sku of SKUS) {
                const wanted = items.filter((it) => it.sku === sku).reduce((s, it) => s + it.quantity, 0);
                assert.equal(world.stock.get(sku)!.held - before.get(sku)!.held, wanted);
              }
          });

          // and each is then committed or released (at once, or kept and released by its timer), in a random order
          for (const [i, ending] of endings) {
            const orderId = `order-${i}`;
            const items = atCatalog(orders[i]![0]);
            if (ending === 'commit') world = deliver(0)(world, msg.orderConfirmed(items, orderId));
            else if (ending === 'release') world = deliver(0)(world, msg.paymentFailed(items, orderId));
            else {
              world = deliver(5_000)(world, msg.orderCancelled(items, 'timeout', orderId));
              world = fireInventoryTimers(world, deliver(5_000));
            }
          }

          // then nothing of these orders is held any more, and sold grew by exactly what was committed
          const reservations = world.reservations;
          for (const sku of SKUS) {
            const level = world.stock.get(sku)!;
            const start = initial.get(sku)!;
            const sold = [...reservations.values()]
              .filter((r) => r?.status === 'COMMITTED')
              .reduce((s, r) => s + (r!.lines.find((l) => l.sku === sku)?.quantity ?? 0), 0);
            assert.equal(level.held, start.held, `${sku} held back to the other orders' holds`);
            assert.equal(level.sold, start.sold + sold, `${sku} sold grew by the committed lines`);
          }
          for (const r of reservations.values()) assert.ok(r && r.status !== 'HELD', `no reservation left HELD: ${r?.status}`);
        },
      ),
      RUNS,
    );
  });
});

// ---- order refund path -------------------------------------------------------------------

const refundReasonArb = fc.constantFrom('arrived damaged', 'too small', 'changed my mind');
const paymentSucceeded: OrderMessage = { type: 'PaymentSucceeded' };
const stockRestocked: OrderMessage = { type: 'StockRestocked' };

/**
 * A confirmed order refunded: PlaceOrder, PaymentSucceeded, RequestRefund, then StockRestocked (which
 * follows the RefundRequested through payment and inventory). A second RequestRefund lands anywhere,
 * even before the order exists or is confirmed, and the deadline may fire anywhere after the payment.
 */
const refundRunArb: fc.Arbitrary<OrderMessage[]> = fc
  .tuple(refundReasonArb, refundReasonArb, fc.nat(), fc.option(fc.nat(), { nil: undefined }))
  .map(([first, second, at, deadlineAt]) => {
    const run: OrderMessage[] = [place, paymentSucceeded, { type: 'RequestRefund', reason: first }, stockRestocked];
    run.splice(at % (run.length + 1), 0, { type: 'RequestRefund', reason: second });
    if (deadlineAt !== undefined) {
      const after = run.indexOf(paymentSucceeded) + 1;
      run.splice(after + (deadlineAt % (run.length - after + 1)), 0, deadline);
    }
    return run;
  });

describe('order refund properties', () => {
  it('a confirmed order refunded with a duplicate refund request anywhere emits exactly one RefundRequested and one OrderRefunded', () => {
    fc.assert(
      fc.property(itemsArb, refundRunArb, redeliveriesArb, (items, once, picks) => {
        // given a refund run, and the same with any message redelivered after its first delivery
        const twice = withRedeliveries(once, picks, () => true);

        for (const messages of [once, twice]) {
          // when it is delivered through order's router
          const run = runOrder(items, messages);
          const types = typesOf(run.events);

          // then one refund is started and finished, in that order
          assert.equal(count(run.events, 'RefundRequested'), 1, types.join());
          assert.equal(count(run.events, 'OrderRefunded'), 1, types.join());
          assert.ok(types.indexOf('RefundRequested') < types.indexOf('OrderRefunded'), types.join());
          // and the order was confirmed once, never cancelled, and ends REFUNDED
          assert.equal(count(run.events, 'OrderConfirmed'), 1, types.join());
          assert.equal(count(run.events, 'OrderCancelled'), 0, types.join());

          // and the first request after the confirmation decides the reason, carried through to the end
          const confirmedAt = messages.indexOf(paymentSucceeded);
          const winner = messages.slice(confirmedAt).find((m) => m.type === 'RequestRefund');
          assert.ok(winner?.type === 'RequestRefund');
          const expected: Order = { ...summaryOf(items), status: 'REFUNDED', cancelReason: null, refundReason: winner.reason };
          assert.deepEqual(run.world.order, expected);
          assert.deepEqual(eventsOf(run.events, 'RefundRequested')[0]?.data, { ...summaryOf(items), reason: winner.reason });
          assert.deepEqual(eventsOf(run.events, 'OrderRefunded')[0]?.data, { ...summaryOf(items), reason: winner.reason });

          // and every other request is rejected, once each, with the status it found
          const requests = messages.flatMap((m, i) => (m.type === 'RequestRefund' ? [i] : []));
          const rejected = eventsOf(run.events, 'RefundRejected').map((e) => e.data);
          assert.equal(rejected.length, requests.length - 1, types.join());
          const expectedRejections = requests
            .filter((i) => messages[i] !== winner || i !== messages.indexOf(winner, confirmedAt))
            .map((i) => {
              const status = i === 0 ? undefined : run.trace[i - 1];
              return status === undefined
                ? { orderId: ORDER_ID, reason: 'unknown_order', status: null }
                : { orderId: ORDER_ID, reason: status === 'PENDING' ? 'not_confirmed' : 'already_refunded', status };
            });
          assert.deepEqual(rejected, expectedRejections);
        }
      }),
      RUNS,
    );
  });

  it('then nothing happens when the stock comes back for an order that is not being refunded', () => {
    fc.assert(
      fc.property(itemsArb, orderRunArb, fc.integer({ min: 1, max: 3 }), (items, saga, restocks) => {
        const run = runOrder(items, [...saga, ...Array.from({ length: restocks }, () => stockRestocked)]);
        const without = runOrder(items, saga);

        assert.deepEqual(run.world, without.world);
        assert.deepEqual(run.events, without.events);
      }),
      RUNS,
    );
  });
});

// ---- loyalty model -----------------------------------------------------------------------

type LoyaltyMessage = { orderId: string; type: 'PaymentSucceeded' | 'OrderConfirmed' | 'OrderCancelled' | 'OrderRefunded' };

interface LoyaltyWorld {
  account: Account | undefined;
  entries: ReadonlyMap<string, Entry>;
}

interface LoyaltyRun {
  world: LoyaltyWorld;
  events: EventDraft[];
}

/** The same customer's orders, each with its own items. */
type Orders = ReadonlyMap<string, OrderItem[]>;

/** As loyalty's saveChanges writes them: the account overwritten; a new entry as it is, an existing one takes its status and points. */
function saveLoyalty(world: LoyaltyWorld, { account, entry }: LoyaltyChanges): LoyaltyWorld {
  const entries = new Map(world.entries);
  if (entry) {
    const before = entries.get(entry.orderId);
    entries.set(entry.orderId, before ? { ...before, status: entry.status, points: entry.points } : entry);
  }
  return { account: account ?? world.account, entries };
}

/** One step of loyalty: load (the customer's account, the order's entry), its real router, save. */
/** An order's input to loyalty (a registration's welcome points have their own property, in transfer-properties.unit.test.ts). */
type LoyaltyOrderInput = Exclude<LoyaltyInput, { type: 'CustomerRegistered' }>;

function deliverToLoyalty(world: LoyaltyWorld, input: LoyaltyOrderInput, settings: LoyaltySettings): [LoyaltyWorld, LoyaltyDecision] {
  const { orderId, customerId } = input.data;
  const state = { account: world.account?.customerId === customerId ? world.account : undefined, entry: world.entries.get(orderId) };
  const d = reactLoyalty(state, input, ctxOf(settings));
  return [d.changes ? saveLoyalty(world, d.changes) : world, d];
}

/** PaymentSucceeded carries the amount charged and OrderConfirmed the order's total: the same number. Only the deadline cancels a paid order. */
function loyaltyInput(orders: Orders, m: LoyaltyMessage): LoyaltyOrderInput {
  const items = orders.get(m.orderId)!;
  switch (m.type) {
    case 'PaymentSucceeded':
      return msg.paymentSucceeded(items, m.orderId);
    case 'OrderConfirmed':
      return msg.orderConfirmed(items, m.orderId);
    case 'OrderCancelled':
      return msg.orderCancelled(items, 'timeout', m.orderId);
    case 'OrderRefunded':
      return msg.orderRefunded(items, 'changed my mind', m.orderId);
  }
}

function confirmedPoints(world: LoyaltyWorld): number {
  return [...world.entries.values()].reduce((sum, e) => sum + (e.status === 'CONFIRMED' ? e.points : 0), 0);
}

function net(account: Account | undefined): number {
  return (account?.balance ?? 0) - (account?.debt ?? 0);
}

/** Delivers the messages, checking after every delivery that only CONFIRMED points count, and nothing goes negative. */
function runLoyalty(start: Account | undefined, orders: Orders, pointsPerUnit: number, messages: readonly LoyaltyMessage[]): LoyaltyRun {
  let world: LoyaltyWorld = { account: start, entries: new Map() };
  const events: EventDraft[] = [];
  for (const m of messages) {
    const [next, d] = deliverToLoyalty(world, loyaltyInput(orders, m), { pointsPerUnit, welcomePoints: 100 });
    world = next;
    events.push(...(d.events ?? []));

    const after = `after ${m.type} of ${m.orderId}: ${JSON.stringify(world.account)}`;
    assert.equal(net(world.account), net(start) + confirmedPoints(world), `balance - debt is what it was plus the CONFIRMED points, ${after}`);
    assert.ok((world.account?.balance ?? 0) >= 0, `balance never negative, ${after}`);
    assert.ok((world.account?.debt ?? 0) >= 0, `debt never negative, ${after}`);
    assert.ok((world.account?.debt ?? 0) >= (start?.debt ?? 0), `debt never shrinks, ${after}`);
    if (![...world.entries.values()].some((e) => e.status === 'CONFIRMED' || e.status === 'REVERTED')) {
      assert.deepEqual(world.account, start, `pending or cancelled points never touch the account, ${after}`);
    }
  }
  return { world, events };
}

type LoyaltyShape = 'confirmed' | 'refunded' | 'cancelled after payment' | 'cancelled before payment';

/**
 * What loyalty can be handed for one order. PaymentSucceeded (from payment) and the order's events
 * (from order) come through different consumers, so the payment can arrive anywhere; OrderRefunded
 * follows OrderConfirmed (the same stream, and the refund needs a confirmed order). Only the deadline
 * cancels an order that was paid.
 */
function loyaltyRunArb(orderId: string): fc.Arbitrary<{ shape: LoyaltyShape; messages: LoyaltyMessage[] }> {
  const ps: LoyaltyMessage = { orderId, type: 'PaymentSucceeded' };
  const oc: LoyaltyMessage = { orderId, type: 'OrderConfirmed' };
  const cancel: LoyaltyMessage = { orderId, type: 'OrderCancelled' };
  const refund: LoyaltyMessage = { orderId, type: 'OrderRefunded' };
  return fc.oneof(
    permutationOf([ps, oc]).map((messages) => ({ shape: 'confirmed' as const, messages })),
    permutationOf([ps, oc, refund])
      .filter((s) => s.indexOf(oc) < s.indexOf(refund))
      .map((messages) => ({ shape: 'refunded' as const, messages })),
    permutationOf([ps, cancel]).map((messages) => ({ shape: 'cancelled after payment' as const, messages })),
    fc.constant<{ shape: LoyaltyShape; messages: LoyaltyMessage[] }>({ shape: 'cancelled before payment', messages: [cancel] }),
  );
}

const startAccountArb: fc.Arbitrary<Account | undefined> = fc.option(
  fc.record({ customerId: fc.constant(CUSTOMER_ID), balance: fc.integer({ min: 0, max: 300 }), debt: fc.integer({ min: 0, max: 50 }) }),
  { nil: undefined },
);

const pointsPerUnitArb = fc.integer({ min: 0, max: 3 });

describe('loyalty saga properties', () => {
  it('messages of one order in any causally possible order, with duplicates, count only CONFIRMED points and award and revert at most once', () => {
    fc.assert(
      fc.property(startAccountArb, itemsArb, pointsPerUnitArb, loyaltyRunArb(ORDER_ID), redeliveriesArb, (start, items, perUnit, { shape, messages }, picks) => {
        // given a delivery order a real run can produce, and the same with redeliveries
        const twice = withRedeliveries(messages, picks, () => true);
        const orders = new Map([[ORDER_ID, items]]);
        const points = pointsFor(orderTotal(items), perUnit);

        // when both are delivered through loyalty's router (runLoyalty checks balance - debt, signs and pending points at every step)
        const a = runLoyalty(start, orders, perUnit, messages);
        const b = runLoyalty(start, orders, perUnit, twice);

        // then redeliveries change neither the end state nor the events
        assert.deepEqual(b.world, a.world);
        assert.deepEqual(b.events, a.events);

        // and points are awarded at most once and reverted at most once
        const types = typesOf(b.events);
        assert.ok(count(b.events, 'PointsAwarded') <= 1, types.join());
        assert.ok(count(b.events, 'PointsReverted') <= 1, types.join());

        // and each kind of run ends as it should
        const entry = b.world.entries.get(ORDER_ID);
        const base = { orderId: ORDER_ID, customerId: CUSTOMER_ID };
        const startBalance = start?.balance ?? 0;
        const startDebt = start?.debt ?? 0;
        switch (shape) {
          case 'confirmed':
            assert.deepEqual(entry, { ...base, points, status: 'CONFIRMED' });
            assert.deepEqual(b.world.account, { customerId: CUSTOMER_ID, balance: startBalance + points, debt: startDebt });
            assert.deepEqual(b.events, [{ type: 'PointsAwarded', data: { ...base, points, balance: startBalance + points } }]);
            break;
          case 'refunded':
            assert.deepEqual(entry, { ...base, points, status: 'REVERTED' });
            assert.deepEqual(b.world.account, { customerId: CUSTOMER_ID, balance: startBalance, debt: startDebt });
            assert.deepEqual(b.events, [
              { type: 'PointsAwarded', data: { ...base, points, balance: startBalance + points } },
              { type: 'PointsReverted', data: { ...base, points, wasConfirmed: true, debt: 0, balance: startBalance, reason: 'order_refunded' } },
            ]);
            break;
          case 'cancelled after payment': {
            assert.equal(b.world.account, start);
            const paidFirst = messages[0]?.type === 'PaymentSucceeded';
            assert.deepEqual(entry, { ...base, points: paidFirst ? points : 0, status: 'CANCELLED' });
            assert.deepEqual(
              b.events,
              paidFirst
                ? [{ type: 'PointsReverted', data: { ...base, points, wasConfirmed: false, debt: 0, balance: startBalance, reason: 'order_cancelled' } }]
                : [],
            );
            break;
          }
          case 'cancelled before payment':
            assert.equal(b.world.account, start);
            assert.deepEqual(entry, { ...base, points: 0, status: 'CANCELLED' });
            assert.deepEqual(b.events, []);
            break;
        }
      }),
      RUNS,
    );
  });

  it('two orders of one customer interleaved, with duplicates: balance - debt is the sum of their CONFIRMED points', () => {
    fc.assert(
      fc.property(
        itemsArb,
        itemsArb,
        pointsPerUnitArb,
        loyaltyRunArb('order-a'),
        loyaltyRunArb('order-b'),
        fc.array(fc.boolean(), { maxLength: 8 }),
        redeliveriesArb,
        (itemsA, itemsB, perUnit, a, b, interleave, picks) => {
          // given both orders' messages merged, each order's own sequence kept, then redeliveries
          const merged: LoyaltyMessage[] = [];
          const qa = [...a.messages];
          const qb = [...b.messages];
          for (let i = 0; qa.length + qb.length > 0; i++) merged.push((interleave[i] ?? i % 2 === 0) && qa.length > 0 ? qa.shift()! : (qb.shift() ?? qa.shift()!));
          const messages = withRedeliveries(merged, picks, () => true);
          const orders = new Map([
            ['order-a', itemsA],
            ['order-b', itemsB],
          ]);

          // when delivered from no account (runLoyalty checks the sum at every step)
          const run = runLoyalty(undefined, orders, perUnit, messages);

          // then at the end, too, only CONFIRMED points are in the balance, with no debt
          assert.equal(run.world.account?.balance ?? 0, confirmedPoints(run.world));
          assert.equal(run.world.account?.debt ?? 0, 0);
          // and each order is awarded and reverted at most once
          for (const orderId of ['order-a', 'order-b']) {
            const mine = run.events.filter((e) => (e.data as { orderId: string }).orderId === orderId);
            assert.ok(count(mine, 'PointsAwarded') <= 1 && count(mine, 'PointsReverted') <= 1, typesOf(mine).join());
          }
        },
      ),
      RUNS,
    );
  });
});

// ---- the refund saga across services -------------------------------------------------------

type SagaService = 'order' | 'inventory' | 'payment' | 'loyalty';

/** What each service of the saga subscribes to, from its router's module (the notification service is left out). */
const subscriptions: Record<SagaService, readonly MessageType[]> = {
  order: orderMessages,
  inventory: inventoryMessages,
  payment: paymentMessages,
  loyalty: loyaltyMessages,
};

/** A message in flight, addressed to a service that consumes it. */
interface SagaDelivery {
  to: SagaService;
  input: Message<MessageType>;
}

interface SagaWorld {
  order: OrderWorld;
  payment: PaymentWorld;
  inventory: InventoryWorld;
  loyalty: LoyaltyWorld;
}

interface SagaSettings {
  order: OrderSettings;
  inventory: InventorySettings;
  loyalty: LoyaltySettings;
  /** Payment's fresh ids. */
  newId: () => string;
}

/** Who consumes an emitted event: every service of the saga that subscribes to its type, each handed the event as a message. */
function routed(e: EventDraft): SagaDelivery[] {
  const input = message(e.type, e.data as never, e.sagaId ?? ORDER_ID) as Message<MessageType>;
  return (Object.keys(subscriptions) as SagaService[]).filter((to) => subscriptions[to].includes(e.type)).map((to) => ({ to, input }));
}

/** Delivers a message to the service it is addressed to (the input fits its router: it subscribes to the type). */
function deliverSaga(world: SagaWorld, m: SagaDelivery, s: SagaSettings): [SagaWorld, EventDraft[]] {
  switch (m.to) {
    case 'order': {
      const [order, d] = deliverToOrder(world.order, m.input as OrderInput, s.order);
      return [{ ...world, order }, d.events ?? []];
    }
    case 'inventory': {
      const [inventory, d] = deliverToInventory(world.inventory, m.input as InventoryInput, s.inventory);
      return [{ ...world, inventory }, d.events ?? []];
    }
    case 'payment': {
      const [payment, d] = deliverToPayment(world.payment, m.input as PaymentInput, s.newId);
      return [{ ...world, payment }, d.events ?? []];
    }
    case 'loyalty': {
      const [loyalty, d] = deliverToLoyalty(world.loyalty, m.input as LoyaltyOrderInput, s.loyalty);
      return [{ ...world, loyalty }, d.events ?? []];
    }
  }
}

/** Runs the happy path through every service's router, from PlaceOrder to quiet: a CONFIRMED order, charged, sold, with its points. */
function confirmedWorld(items: OrderItem[], stock: ReadonlyMap<string, StockLevel>, balance: number, settings: SagaSettings): SagaWorld {
  let world: SagaWorld = {
    order: noOrder,
    payment: { wallet: { customerId: CUSTOMER_ID, balance, credited: balance }, payment: undefined },
    inventory: inventoryOf(stock, priceListOf(items)),
    loyalty: { account: undefined, entries: new Map() },
  };
  const inFlight: SagaDelivery[] = [{ to: 'order', input: msg.placeOrder(items) }];
  for (let step = 0; inFlight.length > 0; step++) {
    assert.ok(step < 50, 'the happy path settles');
    const [next, emitted] = deliverSaga(world, inFlight.shift()!, settings);
    world = next;
    inFlight.push(...emitted.flatMap(routed));
  }
  assert.equal(world.order.order?.status, 'CONFIRMED');
  assert.equal(world.payment.payment?.status, 'CAPTURED');
  assert.equal(reservationOf(world.inventory)?.status, 'COMMITTED');
  assert.equal(world.loyalty.entries.get(ORDER_ID)?.status, 'CONFIRMED');
  return world;
}

/** Plenty of every sku, so the order is always reserved. */
const roomyStockArb: fc.Arbitrary<ReadonlyMap<string, StockLevel>> = stockArb.map(
  (stock) => new Map([...stock].map(([sku, l]) => [sku, { ...l, available: l.available + 24, received: l.received + 24 }])),
);

describe('refund saga properties', () => {
  it('a duplicate refund request at any point, and redelivered events, refund the money, stock and points exactly once', () => {
    fc.assert(
      fc.property(
        itemsArb,
        roomyStockArb,
        fc.integer({ min: 0, max: 2_000 }),
        pointsPerUnitArb,
        fc.array(refundReasonArb, { minLength: 2, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 30 }),
        (items, stock, spare, perUnit, reasons, schedule) => {
          // given a CONFIRMED order and the same refund requested two or three times
          const total = orderTotal(items);
          const settings: SagaSettings = { order: ORDER_SETTINGS, inventory: { releaseDelayMs: 0 }, loyalty: { pointsPerUnit: perUnit, welcomePoints: 100 }, newId: idsFrom('pay') };
          const start = confirmedWorld(items, stock, total + spare, settings);
          let world = start;
          const inFlight: SagaDelivery[] = reasons.map((reason) => ({ to: 'order', input: msg.requestRefund(reason) }));
          const delivered: SagaDelivery[] = [];
          const events: EventDraft[] = [];

          // when the messages in flight are delivered in a random order, some redelivered (kept in flight)
          let redeliveries = 4;
          for (let step = 0; inFlight.length > 0; step++) {
            assert.ok(step < 100, 'the refund settles');
            const [pick, again] = schedule[step] ?? [0, false];
            const i = pick % inFlight.length;
            const m = inFlight[i]!;
            if (again && redeliveries > 0) redeliveries--;
            else inFlight.splice(i, 1);
            const [next, emitted] = deliverSaga(world, m, settings);
            world = next;
            delivered.push(m);
            events.push(...emitted);
            inFlight.push(...emitted.flatMap(routed));
            assertConserved(world.inventory.stock, `after ${m.input.type}:`);
          }

          // then each step of the refund happened exactly once, in causal order
          const types = typesOf(events).filter((t) => t !== 'RefundRejected');
          assert.deepEqual(types, ['RefundRequested', 'PaymentRefunded', 'StockRestocked', 'OrderRefunded', 'PointsReverted']);
          // and every other request was rejected as already refunded
          const requests = delivered.filter((m) => m.input.type === 'RequestRefund');
          const rejected = eventsOf(events, 'RefundRejected').map((e) => e.data);
          assert.equal(rejected.length, requests.length - 1);
          for (const r of rejected) assert.ok(r.reason === 'already_refunded' && (r.status === 'REFUNDING' || r.status === 'REFUNDED'), JSON.stringify(r));

          // and the order is REFUNDED for the first request's reason
          const first = requests[0]!.input;
          const reason = first.type === 'RequestRefund' ? first.data.reason : '';
          assert.deepEqual(world.order.order, { ...start.order.order!, status: 'REFUNDED', refundReason: reason });
          assert.deepEqual(eventsOf(events, 'OrderRefunded')[0]?.data, { ...summaryOf(items), reason });
          // and the money is back in the wallet, from the original payment
          assert.deepEqual(world.payment, {
            wallet: { customerId: CUSTOMER_ID, balance: total + spare, credited: total + spare },
            payment: { ...start.payment.payment!, status: 'REFUNDED' },
          });
          // and every stock level is back where it was before the order
          assert.deepEqual(world.inventory.stock, stock);
          assert.equal(reservationOf(world.inventory)?.status, 'RESTOCKED');
          // and the points are taken back
          assert.deepEqual(world.loyalty.account, { customerId: CUSTOMER_ID, balance: 0, debt: 0 });
          assert.equal(world.loyalty.entries.get(ORDER_ID)?.status, 'REVERTED');
        },
      ),
      RUNS,
    );
  });
});
