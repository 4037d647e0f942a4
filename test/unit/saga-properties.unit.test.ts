import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CancelReason, EventDraft, OrderCancelledData, OrderItem, PlaceOrderData, StockReservedData } from '@jetsaga/events';
import {
  decideCancellation,
  decideCommit,
  decideRelease,
  decideReserve,
  type InventoryDecision,
  type ReleaseReason,
  type Reservation,
  type StockLevel,
} from '../../services/inventory/src/decide.js';
import { decideCancel as decideOrderCancel, decideConfirm, decidePlace, orderTotal, type Order } from '../../services/order/src/decide.js';
import {
  decideCancel as decidePaymentCancel,
  decideCharge,
  decideCredit,
  type Payment,
  type PaymentDecision,
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
  | { type: 'DeadlineFired' };

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

function runOrder(items: OrderItem[], messages: readonly OrderMessage[]): OrderRun {
  let world: OrderWorld = { order: undefined, deadlines: [] };
  const events: EventDraft[] = [];
  const trace: OrderRun['trace'] = [];
  const command: PlaceOrderData = { orderId: ORDER_ID, customerId: CUSTOMER_ID, items };
  for (const m of messages) {
    const d =
      m.type === 'PlaceOrder'
        ? decidePlace(world.order, command, NOW, DEADLINE_MS)
        : m.type === 'PaymentSucceeded'
          ? decideConfirm(world.order)
          : m.type === 'PaymentFailed'
            ? decideOrderCancel(world.order, 'payment_failed')
            : m.type === 'StockReservationFailed'
              ? decideOrderCancel(world.order, 'out_of_stock')
              : decideOrderCancel(world.order, 'timeout');
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
