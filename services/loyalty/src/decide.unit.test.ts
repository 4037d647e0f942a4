import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideConfirm,
  decidePending,
  decideRevert,
  pointsFor,
  type Account,
  type Entry,
  type EntryStatus,
  type LoyaltyDecision,
  type LoyaltyState,
} from './decide.js';

// ---- given helpers ------------------------------------------------------------------

const order = { orderId: 'order-1', customerId: 'cust-1' };

function account(balance: number, debt = 0): Account {
  return { customerId: 'cust-1', balance, debt };
}

function entry(status: EntryStatus, points = 30): Entry {
  return { orderId: 'order-1', customerId: 'cust-1', points, status };
}

const nothingHappens: LoyaltyDecision = { events: [] };

function applied(state: LoyaltyState, decision: LoyaltyDecision): LoyaltyState {
  return { account: decision.account ?? state.account, entry: decision.entry ?? state.entry };
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

// ---- decidePending --------------------------------------------------------------------

describe('decidePending', () => {
  it('records PENDING points without touching the account or emitting anything', () => {
    // given a customer with 50 points; when a payment for the order succeeds
    const decision = decidePending({ account: account(50), entry: undefined }, order, 30);

    // then the points are only pending
    assert.deepEqual(decision, { entry: entry('PENDING', 30), events: [] });
  });

  it('records PENDING points for a customer with no account yet, creating none', () => {
    assert.deepEqual(decidePending({ account: undefined, entry: undefined }, order, 7), { entry: entry('PENDING', 7), events: [] });
  });

  for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'REVERTED'] as const) {
    it(`then nothing happens when the order already has a ${status} entry`, () => {
      assert.deepEqual(decidePending({ account: account(50), entry: entry(status) }, order, 30), nothingHappens);
    });
  }

  it('then nothing happens when the payment arrives after the cancellation left a tombstone (barrier)', () => {
    const tombstone = entry('CANCELLED', 0);

    assert.deepEqual(decidePending({ account: account(50), entry: tombstone }, order, 30), nothingHappens);
  });
});

// ---- decideConfirm --------------------------------------------------------------------

describe('decideConfirm', () => {
  it('adds PENDING points to the balance, marks them CONFIRMED and emits PointsAwarded with the new balance', () => {
    // given 30 pending points and a balance of 50
    const state: LoyaltyState = { account: account(50, 4), entry: entry('PENDING', 30) };

    // when the order is confirmed
    const decision = decideConfirm(state, order, 30);

    // then the balance grows by 30; debt stays as it was
    assert.deepEqual(decision, {
      account: account(80, 4),
      entry: entry('CONFIRMED', 30),
      events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 30, balance: 80 } }],
    });
  });

  it("confirms the pending entry's points, not the points computed from the confirmation", () => {
    const state: LoyaltyState = { account: account(0), entry: entry('PENDING', 30) };

    const decision = decideConfirm(state, order, 999);

    assert.deepEqual(decision.entry, entry('CONFIRMED', 30));
    assert.deepEqual(decision.account, account(30));
  });

  it('opens an account when the customer has none', () => {
    const decision = decideConfirm({ account: undefined, entry: entry('PENDING', 12) }, order, 12);

    assert.deepEqual(decision, {
      account: account(12),
      entry: entry('CONFIRMED', 12),
      events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 12, balance: 12 } }],
    });
  });

  it("confirms the points straight from the order's total when the confirmation arrives before the payment", () => {
    // given no entry: OrderConfirmed overtook PaymentSucceeded (different consumers)
    const state: LoyaltyState = { account: account(5), entry: undefined };

    // when the order is confirmed
    const decision = decideConfirm(state, order, 25);

    // then the points are CONFIRMED at once
    assert.deepEqual(decision, {
      account: account(30),
      entry: entry('CONFIRMED', 25),
      events: [{ type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 25, balance: 30 } }],
    });
  });

  it('then the late payment does nothing after a confirmation that came first', () => {
    let state: LoyaltyState = { account: undefined, entry: undefined };

    state = applied(state, decideConfirm(state, order, 25));
    const late = decidePending(state, order, 25);

    assert.deepEqual(late, nothingHappens);
    assert.deepEqual(state, { account: account(25), entry: entry('CONFIRMED', 25) });
  });

  for (const status of ['CONFIRMED', 'CANCELLED', 'REVERTED'] as const) {
    it(`then nothing happens when the entry is already ${status}`, () => {
      assert.deepEqual(decideConfirm({ account: account(50), entry: entry(status) }, order, 30), nothingHappens);
    });
  }
});

// ---- decideRevert ---------------------------------------------------------------------

describe('decideRevert', () => {
  for (const reason of ['order_cancelled', 'order_refunded'] as const) {
    it(`cancels PENDING points with wasConfirmed false and no account change (${reason})`, () => {
      // given 30 pending points and a balance of 50
      const state: LoyaltyState = { account: account(50, 2), entry: entry('PENDING', 30) };

      // when the order is reverted
      const decision = decideRevert(state, order, reason);

      // then the entry is CANCELLED, the account untouched, and the event says so
      assert.deepEqual(decision, {
        account: undefined,
        entry: entry('CANCELLED', 30),
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
    const decision = decideRevert({ account: undefined, entry: entry('PENDING', 30) }, order, 'order_cancelled');

    assert.equal(decision.account, undefined);
    assert.deepEqual(decision.events, [
      {
        type: 'PointsReverted',
        data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: false, debt: 0, balance: 0, reason: 'order_cancelled' },
      },
    ]);
  });

  it('takes CONFIRMED points back from a balance that covers them, with no debt', () => {
    // given 30 confirmed points in a balance of 80
    const state: LoyaltyState = { account: account(80, 1), entry: entry('CONFIRMED', 30) };

    // when the order is refunded
    const decision = decideRevert(state, order, 'order_refunded');

    // then the balance drops by 30 and the entry is REVERTED
    assert.deepEqual(decision, {
      account: account(50, 1),
      entry: entry('REVERTED', 30),
      events: [
        {
          type: 'PointsReverted',
          data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 0, balance: 50, reason: 'order_refunded' },
        },
      ],
    });
  });

  it('takes back exactly the balance when it equals the points, leaving 0 and no debt', () => {
    const decision = decideRevert({ account: account(30), entry: entry('CONFIRMED', 30) }, order, 'order_refunded');

    assert.deepEqual(decision.account, account(0, 0));
    assert.deepEqual(decision.events.map((e) => e.data), [
      { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 0, balance: 0, reason: 'order_refunded' },
    ]);
  });

  it('never takes the balance below 0: what it cannot cover is added to the debt and reported', () => {
    // given 30 confirmed points but only 12 left in the balance, and 5 of debt already
    const state: LoyaltyState = { account: account(12, 5), entry: entry('CONFIRMED', 30) };

    // when the order is refunded
    const decision = decideRevert(state, order, 'order_refunded');

    // then the balance is 0, the 18 uncovered points are debt, and the event reports that 18
    assert.deepEqual(decision, {
      account: account(0, 23),
      entry: entry('REVERTED', 30),
      events: [
        {
          type: 'PointsReverted',
          data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 18, balance: 0, reason: 'order_refunded' },
        },
      ],
    });
  });

  it('turns all the points into debt when CONFIRMED points are reverted for a customer with no account loaded', () => {
    const decision = decideRevert({ account: undefined, entry: entry('CONFIRMED', 30) }, order, 'order_cancelled');

    assert.deepEqual(decision.account, account(0, 30));
    assert.deepEqual(decision.entry, entry('REVERTED', 30));
  });

  for (const reason of ['order_cancelled', 'order_refunded'] as const) {
    it(`leaves a CANCELLED tombstone of 0 points, with no event and no account change, when ${reason} arrives before any entry`, () => {
      // given no entry yet
      const state: LoyaltyState = { account: account(50), entry: undefined };

      // when the revert arrives first
      const decision = decideRevert(state, order, reason);

      // then only the tombstone is recorded
      assert.deepEqual(decision, { entry: entry('CANCELLED', 0), events: [] });
    });
  }

  it('names the tombstone after the order it was given', () => {
    const decision = decideRevert({ account: undefined, entry: undefined }, { orderId: 'order-42', customerId: 'cust-7' }, 'order_cancelled');

    assert.deepEqual(decision, { entry: { orderId: 'order-42', customerId: 'cust-7', points: 0, status: 'CANCELLED' }, events: [] });
  });

  for (const status of ['CANCELLED', 'REVERTED'] as const) {
    it(`then nothing happens when the entry is already ${status}`, () => {
      assert.deepEqual(decideRevert({ account: account(50), entry: entry(status) }, order, 'order_refunded'), nothingHappens);
    });
  }
});

// ---- whole lives of an entry ------------------------------------------------------------

describe('pending, confirm, revert', () => {
  it('awards once and reverts once, ending where the account started, however often each message is redelivered', () => {
    let state: LoyaltyState = { account: account(10), entry: undefined };
    const decisions: LoyaltyDecision[] = [];
    const deliver = (d: (s: LoyaltyState) => LoyaltyDecision) => {
      const decision = d(state);
      decisions.push(decision);
      state = applied(state, decision);
    };

    deliver((s) => decidePending(s, order, 30));
    deliver((s) => decidePending(s, order, 30));
    deliver((s) => decideConfirm(s, order, 30));
    deliver((s) => decideConfirm(s, order, 30));
    deliver((s) => decideRevert(s, order, 'order_refunded'));
    deliver((s) => decideRevert(s, order, 'order_refunded'));

    assert.deepEqual(state, { account: account(10), entry: entry('REVERTED', 30) });
    assert.deepEqual(decisions.flatMap((d) => d.events), [
      { type: 'PointsAwarded', data: { orderId: 'order-1', customerId: 'cust-1', points: 30, balance: 40 } },
      {
        type: 'PointsReverted',
        data: { orderId: 'order-1', customerId: 'cust-1', points: 30, wasConfirmed: true, debt: 0, balance: 10, reason: 'order_refunded' },
      },
    ]);
  });

  it('never awards points for an order cancelled before its payment and confirmation arrived (barrier)', () => {
    let state: LoyaltyState = { account: account(10), entry: undefined };

    state = applied(state, decideRevert(state, order, 'order_cancelled'));
    const pending = decidePending(state, order, 30);
    const confirm = decideConfirm(state, order, 30);

    assert.deepEqual(pending, nothingHappens);
    assert.deepEqual(confirm, nothingHappens);
    assert.deepEqual(state, { account: account(10), entry: entry('CANCELLED', 0) });
  });
});
