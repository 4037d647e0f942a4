import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CancelReason, EventDraft, OrderCancelledData, OrderItem, PlaceOrderData, StockReservedData } from '@jetsaga/events';
import {
  decideCancellation,
  decideCommit,
  decideRelease,
  decideReserve,
  decideRestock,
  type InventoryDecision,
  type InventoryState,
  type ReleaseReason,
  type Reservation,
  type StockLevel,
} from '../../services/inventory/src/decide.js';
import {
  decideConfirm as decideLoyaltyConfirm,
  decidePending,
  decideRevert,
  pointsFor,
  type Account,
  type Entry,
  type LoyaltyDecision,
  type LoyaltyState,
} from '../../services/loyalty/src/decide.js';
import {
  decideCancel as decideOrderCancel,
  decideConfirm,
  decidePlace,
  decideRefunded,
  decideRefundRequest,
  orderTotal,
  type Order,
  type OrderDecision,
} from '../../services/order/src/decide.js';
import {
  decideCancel as decidePaymentCancel,
  decideCharge,
  decideCredit,
  decideRefund,
  type Payment,
  type PaymentDecision,
  type PaymentState,
  type Wallet,
} from '../../services/payment/src/decide.js';

/**
 * Properties of the decide functions alone (no I/O). Each service gets a tiny pure model: a fold
 * that delivers a sequence of incoming messages for ONE order to that service's state through its
 * decide functions, exactly as its reactions do, and records every event it emits. The inbox is
 * left out on purpose: duplicates reach the decide functions, which must absorb them themselves.
 */

const ORDER_ID = 'order-1';
const CUSTOMER_ID = 'cust-1';
const SKUS = ['apple', 'pear', 'plum'] as const;
const NOW = new Date('2024-05-01T12:00:00.000Z');
const DEADLINE_MS = 30_000;
const RUNS = { numRuns: 200 };

// ---- shared generators -------------------------------------------------------------------

const itemArb: fc.Arbitrary<OrderItem> = fc.record({
  sku: fc.constantFrom(...SKUS),
  quantity: fc.integer({ min: 1, max: 6 }),
  unitPrice: fc.integer({ min: 0, max: 500 }),
});

/** 1-4 lines over 3 skus (a sku may repeat). */
const itemsArb = fc.array(itemArb, { minLength: 1, maxLength: 4 });

/** A level whose buckets add up; held and sold belong to other orders. */
function levelArb(sku: string): fc.Arbitrary<StockLevel> {
  return fc
    .record({ available: fc.integer({ min: 0, max: 15 }), held: fc.integer({ min: 0, max: 5 }), sold: fc.integer({ min: 0, max: 5 }) })
    .map(({ available, held, sold }) => ({ sku, available, held, sold, received: available + held + sold }));
}

const stockArb: fc.Arbitrary<ReadonlyMap<string, StockLevel>> = fc
  .tuple(...SKUS.map(levelArb))
  .map((levels) => new Map(levels.map((l) => [l.sku, l])));

const cancelReasonArb = fc.constantFrom<CancelReason>('out_of_stock', 'payment_failed', 'timeout');

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

function summaryOf(items: OrderItem[]) {
  return { orderId: ORDER_ID, customerId: CUSTOMER_ID, items, total: orderTotal(items) };
}

function assertConserved(stock: ReadonlyMap<string, StockLevel>, label = ''): void {
  for (const l of stock.values()) {
    assert.equal(l.available + l.held + l.sold, l.received, `${label} buckets of ${l.sku} add up to received`);
    assert.ok(l.available >= 0 && l.held >= 0 && l.sold >= 0, `${label} no bucket of ${l.sku} is negative: ${JSON.stringify(l)}`);
  }
}

// ---- inventory model ---------------------------------------------------------------------

type InventoryMessage =
  | { type: 'OrderCreated' }
  | { type: 'OrderConfirmed' }
  | { type: 'PaymentFailed' }
  | { type: 'OrderCancelled'; reason: CancelReason };

interface ReleaseTimer {
  reason: ReleaseReason;
  dueAt: Date;
  fired: boolean;
}

interface InventoryWorld {
  reservation: Reservation | undefined;
  stock: ReadonlyMap<string, StockLevel>;
  /** The ReleaseHold timer of the order: armed once (first arm wins), fires once. */
  releaseTimer: ReleaseTimer | undefined;
}

interface InventoryRun {
  world: InventoryWorld;
  events: EventDraft[];
}

function applyInventory(world: InventoryWorld, decision: InventoryDecision, reason?: ReleaseReason): InventoryWorld {
  const stock = new Map(world.stock);
  for (const l of decision.stock) stock.set(l.sku, l);
  const releaseTimer =
    decision.releaseAt && !world.releaseTimer && reason ? { reason, dueAt: decision.releaseAt, fired: false } : world.releaseTimer;
  return { reservation: decision.reservation ?? world.reservation, stock, releaseTimer };
}

function deliverToInventory(world: InventoryWorld, items: OrderItem[], message: InventoryMessage, delayMs: number): [InventoryWorld, InventoryDecision] {
  const state = { reservation: world.reservation, stock: world.stock };
  switch (message.type) {
    case 'OrderCreated': {
      const d = decideReserve(state, summaryOf(items));
      return [applyInventory(world, d), d];
    }
    case 'OrderConfirmed': {
      const d = decideCommit(state);
      return [applyInventory(world, d), d];
    }
    case 'PaymentFailed': {
      const d = decideCancellation(state, ORDER_ID, 'payment_failed', NOW, delayMs);
      return [applyInventory(world, d, 'payment_failed'), d];
    }
    case 'OrderCancelled': {
      const d = decideCancellation(state, ORDER_ID, 'order_cancelled', NOW, delayMs);
      return [applyInventory(world, d, 'order_cancelled'), d];
    }
  }
}

/** Delivers the messages in order, then lets an armed release timer fire (it always does, eventually). */
function runInventory(stock: ReadonlyMap<string, StockLevel>, items: OrderItem[], messages: readonly InventoryMessage[], delayMs: number): InventoryRun {
  let world: InventoryWorld = { reservation: undefined, stock, releaseTimer: undefined };
  const events: EventDraft[] = [];
  for (const message of messages) {
    const [next, decision] = deliverToInventory(world, items, message, delayMs);
    world = next;
    events.push(...decision.events);
    assertConserved(world.stock, `after ${message.type}:`);
  }
  const timer = world.releaseTimer;
  if (timer && !timer.fired) {
    const d = decideRelease({ reservation: world.reservation, stock: world.stock }, ORDER_ID, timer.reason);
    world = { ...applyInventory(world, d), releaseTimer: { ...timer, fired: true } };
    events.push(...d.events);
    assertConserved(world.stock, 'after ReleaseHold:');
  }
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

        // when both are folded through the decide functions
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
          assert.ok(['RELEASED', 'REJECTED', 'CANCELLED'].includes(run.world.reservation?.status ?? ''), `ended ${run.world.reservation?.status}`);
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

function applyPayment(world: PaymentWorld, decision: PaymentDecision): PaymentWorld {
  return { wallet: decision.wallet ?? world.wallet, payment: decision.payment ?? world.payment };
}

/**
 * Folds the messages. The reactions mint a new paymentId per delivery; here it is derived from the
 * message and how often it was delivered, so a redelivery gets a fresh id that must not leak into state.
 */
function runPayment(wallet: Wallet | undefined, items: OrderItem[], messages: readonly PaymentMessage[]): PaymentRun {
  let world: PaymentWorld = { wallet, payment: undefined };
  const events: EventDraft[] = [];
  const deliveries = new Map<string, number>();
  for (const m of messages) {
    const n = (deliveries.get(m.id) ?? 0) + 1;
    deliveries.set(m.id, n);
    const paymentId = `pay-${m.id}-${n}`;
    switch (m.type) {
      case 'StockReserved': {
        const reserved: StockReservedData = summaryOf(items);
        const d = decideCharge(world, reserved, paymentId);
        world = applyPayment(world, d);
        events.push(...d.events);
        break;
      }
      case 'OrderCancelled': {
        const cancelled: OrderCancelledData = { ...summaryOf(items), reason: m.reason };
        const d = decidePaymentCancel(world, cancelled, paymentId);
        world = applyPayment(world, d);
        events.push(...d.events);
        break;
      }
      case 'CreditWallet':
        world = { ...world, wallet: decideCredit(world.wallet, { customerId: CUSTOMER_ID, amount: m.amount }) };
        break;
    }
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
  /** Deadlines armed (a timer per order). */
  deadlines: Date[];
}

interface OrderRun {
  world: OrderWorld;
  events: EventDraft[];
  /** The status after each delivery. */
  trace: Array<Order['status'] | undefined>;
}

function deliverToOrder(order: Order | undefined, command: PlaceOrderData, m: OrderMessage): OrderDecision {
  switch (m.type) {
    case 'PlaceOrder':
      return decidePlace(order, command, NOW, DEADLINE_MS);
    case 'PaymentSucceeded':
      return decideConfirm(order);
    case 'PaymentFailed':
      return decideOrderCancel(order, 'payment_failed');
    case 'StockReservationFailed':
      return decideOrderCancel(order, 'out_of_stock');
    case 'DeadlineFired':
      return decideOrderCancel(order, 'timeout');
    case 'RequestRefund':
      return decideRefundRequest(order, { orderId: ORDER_ID, reason: m.reason });
    case 'StockRestocked':
      return decideRefunded(order);
  }
}

function runOrder(items: OrderItem[], messages: readonly OrderMessage[]): OrderRun {
  let world: OrderWorld = { order: undefined, deadlines: [] };
  const events: EventDraft[] = [];
  const trace: OrderRun['trace'] = [];
  const command: PlaceOrderData = { orderId: ORDER_ID, customerId: CUSTOMER_ID, items };
  for (const m of messages) {
    const d = deliverToOrder(world.order, command, m);
    world = { order: d.order ?? world.order, deadlines: d.deadline ? [...world.deadlines, d.deadline] : world.deadlines };
    events.push(...d.events);
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
        assert.deepEqual(b.world.deadlines, [new Date(NOW.getTime() + DEADLINE_MS)]);
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
          let stock = new Map(initial);
          const reservations = new Map<string, Reservation | undefined>();
          const received = (s: ReadonlyMap<string, StockLevel>) => SKUS.map((sku) => s.get(sku)?.received);
          const apply = (orderId: string, d: InventoryDecision) => {
            for (const l of d.stock) stock.set(l.sku, l);
            if (d.reservation) reservations.set(orderId, d.reservation);
            assertConserved(stock);
            assert.deepEqual(received(stock), received(initial), 'received never changes');
          };

          // when every order is reserved in turn
          orders.forEach(([items], i) => {
            const orderId = `order-${i}`;
            const before = new Map(stock);
            const d = decideReserve({ reservation: undefined, stock }, { ...summaryOf(items), orderId });
            apply(orderId, d);
            // then a refused order moves nothing, an accepted one moves exactly its lines to held
            if (d.reservation?.status === 'REJECTED') assert.deepEqual(stock, before);
            else
              for (const sku of SKUS) {
                const wanted = items.filter((it) => it.sku === sku).reduce((s, it) => s + it.quantity, 0);
                assert.equal(stock.get(sku)!.held - before.get(sku)!.held, wanted);
              }
          });

          // and each is then committed or released, in a random order
          for (const [i, ending] of endings) {
            const orderId = `order-${i}`;
            const state = { reservation: reservations.get(orderId), stock };
            if (ending === 'commit') apply(orderId, decideCommit(state));
            else if (ending === 'release') apply(orderId, decideRelease(state, orderId, 'payment_failed'));
            else {
              const delayed = decideCancellation(state, orderId, 'order_cancelled', NOW, 5_000);
              apply(orderId, delayed);
              if (delayed.releaseAt) apply(orderId, decideRelease({ reservation: reservations.get(orderId), stock }, orderId, 'order_cancelled'));
            }
          }

          // then nothing of these orders is held any more, and sold grew by exactly what was committed
          for (const sku of SKUS) {
            const level = stock.get(sku)!;
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
          // when it is folded through the order's decide functions
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

/** The same customer's orders, each with its own total. */
type Totals = ReadonlyMap<string, number>;

function deliverToLoyalty(world: LoyaltyWorld, totals: Totals, pointsPerUnit: number, m: LoyaltyMessage): LoyaltyDecision {
  const state: LoyaltyState = { account: world.account, entry: world.entries.get(m.orderId) };
  const ref = { orderId: m.orderId, customerId: CUSTOMER_ID };
  // PaymentSucceeded carries the amount charged and OrderConfirmed the order's total: the same number
  const points = pointsFor(totals.get(m.orderId)!, pointsPerUnit);
  switch (m.type) {
    case 'PaymentSucceeded':
      return decidePending(state, ref, points);
    case 'OrderConfirmed':
      return decideLoyaltyConfirm(state, ref, points);
    case 'OrderCancelled':
      return decideRevert(state, ref, 'order_cancelled');
    case 'OrderRefunded':
      return decideRevert(state, ref, 'order_refunded');
  }
}

function confirmedPoints(world: LoyaltyWorld): number {
  return [...world.entries.values()].reduce((sum, e) => sum + (e.status === 'CONFIRMED' ? e.points : 0), 0);
}

function net(account: Account | undefined): number {
  return (account?.balance ?? 0) - (account?.debt ?? 0);
}

/** Folds the messages, checking after every delivery that only CONFIRMED points count, and nothing goes negative. */
function runLoyalty(start: Account | undefined, totals: Totals, pointsPerUnit: number, messages: readonly LoyaltyMessage[]): LoyaltyRun {
  let world: LoyaltyWorld = { account: start, entries: new Map() };
  const events: EventDraft[] = [];
  for (const m of messages) {
    const d = deliverToLoyalty(world, totals, pointsPerUnit, m);
    const entries = new Map(world.entries);
    if (d.entry) entries.set(d.entry.orderId, d.entry);
    world = { account: d.account ?? world.account, entries };
    events.push(...d.events);

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
        const totals = new Map([[ORDER_ID, orderTotal(items)]]);
        const points = pointsFor(orderTotal(items), perUnit);

        // when both are folded (runLoyalty checks balance - debt, signs and pending points at every step)
        const a = runLoyalty(start, totals, perUnit, messages);
        const b = runLoyalty(start, totals, perUnit, twice);

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
          const totals = new Map([
            ['order-a', orderTotal(itemsA)],
            ['order-b', orderTotal(itemsB)],
          ]);

          // when folded from no account (runLoyalty checks the sum at every step)
          const run = runLoyalty(undefined, totals, perUnit, messages);

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

/** A message in flight during a refund, addressed to the service that consumes it. */
type RefundDelivery =
  | { to: 'order'; type: 'RequestRefund'; reason: string }
  | { to: 'payment'; type: 'RefundRequested' }
  | { to: 'inventory'; type: 'PaymentRefunded'; reason: 'order_cancelled' | 'refund_requested' }
  | { to: 'order'; type: 'StockRestocked' }
  | { to: 'loyalty'; type: 'OrderRefunded' };

interface RefundWorld {
  order: Order;
  payment: PaymentState;
  inventory: InventoryState;
  loyalty: LoyaltyState;
}

/** Who consumes an emitted event during the refund. */
function routed(e: EventDraft): RefundDelivery[] {
  switch (e.type) {
    case 'RefundRequested':
      return [{ to: 'payment', type: 'RefundRequested' }];
    case 'PaymentRefunded':
      return [{ to: 'inventory', type: 'PaymentRefunded', reason: e.data.reason }];
    case 'StockRestocked':
      return [{ to: 'order', type: 'StockRestocked' }];
    case 'OrderRefunded':
      return [{ to: 'loyalty', type: 'OrderRefunded' }];
    default:
      return [];
  }
}

function applyStock(stock: ReadonlyMap<string, StockLevel>, levels: StockLevel[]): ReadonlyMap<string, StockLevel> {
  const next = new Map(stock);
  for (const l of levels) next.set(l.sku, l);
  return next;
}

/** Runs the happy path through every service's decide functions: a CONFIRMED order, charged, sold, with its points. */
function confirmedWorld(items: OrderItem[], stock: ReadonlyMap<string, StockLevel>, balance: number, perUnit: number): RefundWorld {
  const placed = decidePlace(undefined, { orderId: ORDER_ID, customerId: CUSTOMER_ID, items }, NOW, DEADLINE_MS).order!;
  const summary = summaryOf(items);

  let inventory: InventoryState = { reservation: undefined, stock };
  const reserved = decideReserve(inventory, summary);
  inventory = { reservation: reserved.reservation, stock: applyStock(stock, reserved.stock) };
  const committed = decideCommit(inventory);
  inventory = { reservation: committed.reservation, stock: applyStock(inventory.stock, committed.stock) };

  const wallet: Wallet = { customerId: CUSTOMER_ID, balance, credited: balance };
  const charged = decideCharge({ wallet, payment: undefined }, summary, 'pay-1');

  const points = pointsFor(summary.total, perUnit);
  let loyalty: LoyaltyState = { account: undefined, entry: undefined };
  loyalty = { ...loyalty, entry: decidePending(loyalty, summary, points).entry };
  const awarded = decideLoyaltyConfirm(loyalty, summary, points);
  loyalty = { account: awarded.account, entry: awarded.entry };

  const world: RefundWorld = {
    order: decideConfirm(placed).order!,
    payment: { wallet: charged.wallet, payment: charged.payment },
    inventory,
    loyalty,
  };
  assert.equal(world.order.status, 'CONFIRMED');
  assert.equal(world.payment.payment?.status, 'CAPTURED');
  assert.equal(world.inventory.reservation?.status, 'COMMITTED');
  assert.equal(world.loyalty.entry?.status, 'CONFIRMED');
  return world;
}

function deliverRefund(world: RefundWorld, m: RefundDelivery): [RefundWorld, EventDraft[]] {
  switch (m.type) {
    case 'RequestRefund':
    case 'StockRestocked': {
      const d = m.type === 'RequestRefund' ? decideRefundRequest(world.order, { orderId: ORDER_ID, reason: m.reason }) : decideRefunded(world.order);
      return [{ ...world, order: d.order ?? world.order }, d.events];
    }
    case 'RefundRequested': {
      const d = decideRefund(world.payment);
      return [{ ...world, payment: { wallet: d.wallet ?? world.payment.wallet, payment: d.payment ?? world.payment.payment } }, d.events];
    }
    case 'PaymentRefunded': {
      // as the reaction: only a refund restocks (a cancellation's hold was released already)
      if (m.reason !== 'refund_requested') return [world, []];
      const d = decideRestock(world.inventory);
      const inventory = { reservation: d.reservation ?? world.inventory.reservation, stock: applyStock(world.inventory.stock, d.stock) };
      return [{ ...world, inventory }, d.events];
    }
    case 'OrderRefunded': {
      const d = decideRevert(world.loyalty, { orderId: ORDER_ID, customerId: CUSTOMER_ID }, 'order_refunded');
      return [{ ...world, loyalty: { account: d.account ?? world.loyalty.account, entry: d.entry ?? world.loyalty.entry } }, d.events];
    }
  }
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
          const start = confirmedWorld(items, stock, total + spare, perUnit);
          let world = start;
          const inFlight: RefundDelivery[] = reasons.map((reason) => ({ to: 'order', type: 'RequestRefund', reason }));
          const delivered: RefundDelivery[] = [];
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
            const [next, emitted] = deliverRefund(world, m);
            world = next;
            delivered.push(m);
            events.push(...emitted);
            inFlight.push(...emitted.flatMap(routed));
            assertConserved(world.inventory.stock, `after ${m.type}:`);
          }

          // then each step of the refund happened exactly once, in causal order
          const types = typesOf(events).filter((t) => t !== 'RefundRejected');
          assert.deepEqual(types, ['RefundRequested', 'PaymentRefunded', 'StockRestocked', 'OrderRefunded', 'PointsReverted']);
          // and every other request was rejected as already refunded
          const requests = delivered.filter((m) => m.type === 'RequestRefund');
          const rejected = eventsOf(events, 'RefundRejected').map((e) => e.data);
          assert.equal(rejected.length, requests.length - 1);
          for (const r of rejected) assert.ok(r.reason === 'already_refunded' && (r.status === 'REFUNDING' || r.status === 'REFUNDED'), JSON.stringify(r));

          // and the order is REFUNDED for the first request's reason
          const reason = requests[0]!.type === 'RequestRefund' ? requests[0]!.reason : '';
          assert.deepEqual(world.order, { ...start.order, status: 'REFUNDED', refundReason: reason });
          assert.deepEqual(eventsOf(events, 'OrderRefunded')[0]?.data, { ...summaryOf(items), reason });
          // and the money is back in the wallet, from the original payment
          assert.deepEqual(world.payment, {
            wallet: { customerId: CUSTOMER_ID, balance: total + spare, credited: total + spare },
            payment: { ...start.payment.payment!, status: 'REFUNDED' },
          });
          // and every stock level is back where it was before the order
          assert.deepEqual(world.inventory.stock, stock);
          assert.equal(world.inventory.reservation?.status, 'RESTOCKED');
          // and the points are taken back
          assert.deepEqual(world.loyalty.account, { customerId: CUSTOMER_ID, balance: 0, debt: 0 });
          assert.equal(world.loyalty.entry?.status, 'REVERTED');
        },
      ),
      RUNS,
    );
  });
});
