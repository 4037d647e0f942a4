import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { message, routerSpec } from '@jetsaga/messaging';
import { pointsFor, type Account, type Entry, type EntryStatus, type LoyaltyDecision, type LoyaltyState } from './decide.js';
import { type LoyaltyInput, react } from './react.js';

// ---- given helpers ------------------------------------------------------------------

/** One point per whole currency unit: an amount of 3_000 minor units is 30 points. */
const spec = routerSpec(react, { settings: { pointsPerUnit: 1, welcomePoints: 100 } });

const order = { orderId: 'order-1', customerId: 'cust-1' };

function account(balance: number, debt = 0): Account {
  return { customerId: 'cust-1', balance, debt };
}

function entry(status: EntryStatus, points = 30): Entry {
  return { orderId: 'order-1', customerId: 'cust-1', points, status };
}

// ---- when: the messages loyalty receives -----------------------------------------------

function paid(amount: number, o = order) {
  return message('PaymentSucceeded', { ...o, amount, paymentId: 'pay-1' });
}

function confirmed(total: number, o = order) {
  return message('OrderConfirmed', { ...o, items: [{ sku: 'apple', quantity: 1, unitPrice: total }], total });
}

function cancelled(o = order) {
  return message('OrderCancelled', { ...o, items: [{ sku: 'apple', quantity: 1, unitPrice: 3_000 }], total: 3_000, reason: 'timeout' });
}

function refunded(o = order) {
  return message('OrderRefunded', { ...o, items: [{ sku: 'apple', quantity: 1, unitPrice: 3_000 }], total: 3_000, reason: 'arrived damaged' });
}

/** The two reverting messages, with the reason each reports. */
const reverts = [
  { reason: 'order_cancelled', input: cancelled },
  { reason: 'order_refunded', input: refunded },
] as const;

/** The state after the decision's changes are saved (what the store upserts). */
function applied(state: LoyaltyState, decision: LoyaltyDecision): LoyaltyState {
  return { account: decision.changes?.account ?? state.account, entry: decision.changes?.entry ?? state.entry };
}

// ---- pointsFor ------------------------------------------------------------------------

describe('pointsFor', () => {
  it('gives pointsPerUnit points per whole 100 minor units', () => {
    assert.equal(pointsFor(1000, 1), 10);
    assert.equal(pointsFor(1000, 3), 30);
  });

  it('rounds a part of a unit down', () => {
    assert.equal(pointsFor(199, 1), 1);
    assert.equal(pointsFor(99, 5), 0);
  });

  it('gives 0 for a free order or 0 points per unit', () => {
    assert.equal(pointsFor(0, 2), 0);
    assert.equal(pointsFor(12_345, 0), 0);
  });
});

// ---- PaymentSucceeded: pending points ----------------------------------------------------

describe('PaymentSucceeded', () => {
  it('records PENDING points without touching the account or emitting anything', () => {
    // given a customer with 50 points; when a payment of 30.00 for the order succeeds; then the points are only pending
    spec
      .given({ account: account(50), entry: undefined })
      .when(paid(3_000))
      .then({ changes: { entry: entry('PENDING', 30) } });
  });

  it('records PENDING points for a customer with no account yet, creating none', () => {
    spec
      .given({ account: undefined, entry: undefined })
      .when(paid(700))
      .then({ changes: { entry: entry('PENDING', 7) } });
  });

  it("computes the points from the payment's amount with the configured points per unit, rounding a part of a unit down", () => {
    spec
      .given({ account: undefined, entry: undefined })
      .when(paid(1_099), { settings: { pointsPerUnit: 3 } })
      .then({ changes: { entry: entry('PENDING', 30) } });
  });

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REVERTED'] as const) {
    it(`then nothing happens when the order already has a ${status} entry`, () => {
      spec
        .given({ account: account(50), entry: entry(status) })
        .when(paid(3_000))
        .thenNothing();
    });
  }

  it('then nothing happens when the payment arrives after the cancellation left a tombstone (barrier)', () => {
    const tombstone = entry('CANCELLED', 0);

    spec
      .given({ account: account(50), entry: tombstone })
      .when(paid(3_000))
      .thenNothing();
  });
});

// ---- OrderConfirmed: points join the balance ----------------------------------------------

describe('OrderConfirmed', () => {
  it('adds PENDING points to the balance, marks them CONFIRMED and emits PointsAwarded with the new balance', () => {
    // given 30 pending points and a balance of 50
    spec
      .given({ account: account(50, 4), entry: entry('PENDING', 30) })
      // when the order is confirmed
      .when(confirmed(3_000))
      // then the balance grows by 30; debt stays as it was
      .then({
        changes: { account: account(80, 4), entry: entry('CONFIRMED', 30) },
        events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 30, balance: 80 } }],
      });
  });

  it("confirms the pending entry's points, not the points computed from the confirmation", () => {
    spec
      .given({ account: account(0), entry: entry('PENDING', 30) })
      .when(confirmed(99_900))
      .then({
        changes: { account: account(30), entry: entry('CONFIRMED', 30) },
        events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 30, balance: 30 } }],
      });
  });

  it('opens an account when the customer has none', () => {
    spec
      .given({ account: undefined, entry: entry('PENDING', 12) })
      .when(confirmed(1_200))
      .then({
        changes: { account: account(12), entry: entry('CONFIRMED', 12) },
        events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 12, balance: 12 } }],
      });
  });

  it("confirms the points straight from the order's total when the confirmation arrives before the payment", () => {
    // given no entry: OrderConfirmed overtook PaymentSucceeded (different consumers)
    spec
      .given({ account: account(5), entry: undefined })
      // when the order of 25.00 is confirmed
      .when(confirmed(2_500))
      // then the points are CONFIRMED at once
      .then({
        changes: { account: account(30), entry: entry('CONFIRMED', 25) },
        events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 25, balance: 30 } }],
      });
  });

  it("computes those points from the order's total with the configured points per unit, rounding a part of a unit down", () => {
    spec
      .given({ account: undefined, entry: undefined })
      .when(confirmed(1_099), { settings: { pointsPerUnit: 3 } })
      .then({
        changes: { account: account(30), entry: entry('CONFIRMED', 30) },
        events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 30, balance: 30 } }],
      });
  });

  it('then the late payment does nothing after a confirmation that came first', () => {
    let state: LoyaltyState = { account: undefined, entry: undefined };

    state = applied(state, spec.given(state).when(confirmed(2_500)).decision());

    spec.given(state).when(paid(2_500)).thenNothing();
    assert.deepEqual(state, { account: account(25), entry: entry('CONFIRMED', 25) });
  });

  for (const status of ['CONFIRMED', 'CANCELLED', 'REVERTED'] as const) {
    it(`then nothing happens when the entry is already ${status}`, () => {
      spec
        .given({ account: account(50), entry: entry(status) })
        .when(confirmed(3_000))
        .thenNothing();
    });
  }
});

// ---- OrderCancelled / OrderRefunded: points taken back -------------------------------------

describe('OrderCancelled and OrderRefunded', () => {
  for (const { reason, input } of reverts) {
    it(`cancels PENDING points with wasConfirmed false and no account change (${reason})`, () => {
      // given 30 pending points and a balance of 50
      spec
        .given({ account: account(50, 2), entry: entry('PENDING', 30) })
        // when the order is reverted
        .when(input())
        // then the entry is CANCELLED, the account untouched, and the event says so
        .then({
          changes: { entry: entry('CANCELLED', 30) },
          events: [
            {
              type: 'PointsReverted',
              data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: false, debt: 0, balance: 50, reason },
            },
          ],
        });
    });
  }

  it('reports balance 0 when PENDING points are cancelled for a customer with no account, creating none', () => {
    spec
      .given({ account: undefined, entry: entry('PENDING', 30) })
      .when(cancelled())
      .then({
        changes: { entry: entry('CANCELLED', 30) },
        events: [
          {
            type: 'PointsReverted',
            data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: false, debt: 0, balance: 0, reason: 'order_cancelled' },
          },
        ],
      });
  });

  it('takes CONFIRMED points back from a balance that covers them, with no debt', () => {
    // given 30 confirmed points in a balance of 80
    spec
      .given({ account: account(80, 1), entry: entry('CONFIRMED', 30) })
      // when the order is refunded
      .when(refunded())
      // then the balance drops by 30 and the entry is REVERTED
      .then({
        changes: { account: account(50, 1), entry: entry('REVERTED', 30) },
        events: [
          {
            type: 'PointsReverted',
            data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 0, balance: 50, reason: 'order_refunded' },
          },
        ],
      });
  });

  it('takes back exactly the balance when it equals the points, leaving 0 and no debt', () => {
    spec
      .given({ account: account(30), entry: entry('CONFIRMED', 30) })
      .when(refunded())
      .then({
        changes: { account: account(0, 0), entry: entry('REVERTED', 30) },
        events: [
          {
            type: 'PointsReverted',
            data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 0, balance: 0, reason: 'order_refunded' },
          },
        ],
      });
  });

  it('never takes the balance below 0: what it cannot cover is added to the debt and reported', () => {
    // given 30 confirmed points but only 12 left in the balance, and 5 of debt already
    spec
      .given({ account: account(12, 5), entry: entry('CONFIRMED', 30) })
      // when the order is refunded
      .when(refunded())
      // then the balance is 0, the 18 uncovered points are debt, and the event reports that 18
      .then({
        changes: { account: account(0, 23), entry: entry('REVERTED', 30) },
        events: [
          {
            type: 'PointsReverted',
            data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 18, balance: 0, reason: 'order_refunded' },
          },
        ],
      });
  });

  it('turns all the points into debt when CONFIRMED points are reverted for a customer with no account loaded', () => {
    spec
      .given({ account: undefined, entry: entry('CONFIRMED', 30) })
      .when(cancelled())
      .then({
        changes: { account: account(0, 30), entry: entry('REVERTED', 30) },
        events: [
          {
            type: 'PointsReverted',
            data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 30, balance: 0, reason: 'order_cancelled' },
          },
        ],
      });
  });

  for (const { reason, input } of reverts) {
    it(`leaves a CANCELLED tombstone of 0 points, with no event and no account change, when ${reason} arrives before any entry`, () => {
      // given no entry yet; when the revert arrives first; then only the tombstone is recorded
      spec
        .given({ account: account(50), entry: undefined })
        .when(input())
        .then({ changes: { entry: entry('CANCELLED', 0) } });
    });
  }

  it('names the tombstone after the order it was given', () => {
    spec
      .given({ account: undefined, entry: undefined })
      .when(cancelled({ orderId: 'order-42', customerId: 'cust-7' }))
      .then({ changes: { entry: { orderId: 'order-42', customerId: 'cust-7', points: 0, status: 'CANCELLED' } } });
  });

  for (const status of ['CANCELLED', 'REVERTED'] as const) {
    it(`then nothing happens when the entry is already ${status}`, () => {
      spec
        .given({ account: account(50), entry: entry(status) })
        .when(refunded())
        .thenNothing();
    });
  }
});

// ---- whole lives of an entry ------------------------------------------------------------

describe('pending, confirm, revert', () => {
  it('awards once and reverts once, ending where the account started, however often each message is redelivered', () => {
    let state: LoyaltyState = { account: account(10), entry: undefined };
    const decisions: LoyaltyDecision[] = [];
    const deliver = (input: LoyaltyInput) => {
      const decision = spec.given(state).when(input).decision();
      decisions.push(decision);
      state = applied(state, decision);
    };

    deliver(paid(3_000));
    deliver(paid(3_000));
    deliver(confirmed(3_000));
    deliver(confirmed(3_000));
    deliver(refunded());
    deliver(refunded());

    assert.deepEqual(state, { account: account(10), entry: entry('REVERTED', 30) });
    assert.deepEqual(decisions.flatMap((d) => d.events ?? []), [
      { type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 30, balance: 40 } },
      {
        type: 'PointsReverted',
        data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 0, balance: 10, reason: 'order_refunded' },
      },
    ]);
  });

  it('never awards points for an order cancelled before its payment and confirmation arrived (barrier)', () => {
    let state: LoyaltyState = { account: account(10), entry: undefined };

    state = applied(state, spec.given(state).when(cancelled()).decision());

    spec.given(state).when(paid(3_000)).thenNothing();
    spec.given(state).when(confirmed(3_000)).thenNothing();
    assert.deepEqual(state, { account: account(10), entry: entry('CANCELLED', 0) });
  });
});

// ---- an input naming another customer than the entry's: mismatch ------------------------------

describe("an order's event naming another customer than the entry's (fact mismatch)", () => {
  const mallory = { orderId: 'order-1', customerId: 'mallory' };

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REVERTED'] as const) {
    it(`credits and reverts nothing when the entry is ${status}: every input naming mallory is a mismatch`, () => {
      // given cust-1's entry for order-1; when any message names mallory; then nothing is saved or emitted
      const given = spec.given({ account: account(50), entry: entry(status) });
      given.when(confirmed(3_000, mallory)).then({ mismatch: 'points of order order-1 belong to customer "cust-1", OrderConfirmed names "mallory"' });
      given.when(cancelled(mallory)).then({ mismatch: 'points of order order-1 belong to customer "cust-1", OrderCancelled names "mallory"' });
      given.when(refunded(mallory)).then({ mismatch: 'points of order order-1 belong to customer "cust-1", OrderRefunded names "mallory"' });
      given.when(paid(3_000, mallory)).then({ mismatch: 'points of order order-1 belong to customer "cust-1", PaymentSucceeded names "mallory"' });
    });
  }

  it("confirms into the entry's customer's account when the event names that customer", () => {
    const decision = spec.given({ account: account(50), entry: entry('PENDING') }).when(confirmed(3_000)).decision();

    assert.equal(decision.mismatch, undefined);
    assert.deepEqual(decision.changes?.account, account(80));
  });

  it('then nothing to contradict when there is no entry yet: the first input names the customer', () => {
    spec
      .given({ account: undefined, entry: undefined })
      .when(confirmed(3_000, mallory))
      .then({
        changes: { account: { customerId: 'mallory', balance: 30, debt: 0 }, entry: { orderId: 'order-1', customerId: 'mallory', points: 30, status: 'CONFIRMED' } },
        events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'mallory', points: 30, balance: 30 } }],
      });
  });
});

// ---- CustomerRegistered: the welcome points ------------------------------------------------

describe('CustomerRegistered', () => {
  const registered = (customerId = 'cust-1') => message('CustomerRegistered', { customerId, email: `${customerId}@example.com` }, customerId);

  it('awards the welcome points into the balance at once, and says WelcomePointsAwarded', () => {
    spec
      .given({ account: undefined, entry: undefined, welcome: undefined })
      .when(registered())
      .then({
        changes: { account: account(100), welcome: { customerId: 'cust-1', points: 100 } },
        events: [{ type: 'WelcomePointsAwarded', data: { customerId: 'cust-1', points: 100, balance: 100 } }],
      });
  });

  it('adds them to an account the customer has already (points of orders, debt untouched)', () => {
    spec
      .given({ account: account(30, 5), entry: undefined, welcome: undefined })
      .when(registered(), { settings: { welcomePoints: 250 } })
      .then({
        changes: { account: account(280, 5), welcome: { customerId: 'cust-1', points: 250 } },
        events: [{ type: 'WelcomePointsAwarded', data: { customerId: 'cust-1', points: 250, balance: 280 } }],
      });
  });

  it('awards them once: then nothing happens for a customer welcomed already', () => {
    spec.given({ account: account(100), entry: undefined, welcome: { customerId: 'cust-1', points: 100 } }).when(registered()).thenNothing();
  });
});
