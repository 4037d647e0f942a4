import { draft } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';

export interface Account {
  customerId: string;
  balance: number;
  debt: number;
}

export type EntryStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'REVERTED';

export interface Entry {
  orderId: string;
  customerId: string;
  points: number;
  status: EntryStatus;
}

/** A registered customer's welcome points (awarded once). */
export interface Welcome {
  customerId: string;
  points: number;
}

/**
 * The order's entry, if any, and the account of its customer (else of the customer the input
 * names); for a registration, the customer's welcome, if any.
 */
export interface LoyaltyState {
  account: Account | undefined;
  entry: Entry | undefined;
  welcome?: Welcome | undefined;
}

export interface LoyaltyChanges {
  account?: Account;
  entry?: Entry;
  welcome?: Welcome;
}

export type LoyaltyDecision = Decision<LoyaltyChanges>;

interface OrderRef {
  orderId: string;
  customerId: string;
}

const nothing: LoyaltyDecision = {};

/**
 * What an input says about the order's customer that contradicts the entry loyalty keeps for
 * the order (whoever paid, confirmed or cancelled it first), or undefined when it agrees.
 */
export function customerMismatch(state: LoyaltyState, type: string, customerId: string): string | undefined {
  const e = state.entry;
  if (!e || e.customerId === customerId) return undefined;
  return `points of order ${e.orderId} belong to customer "${e.customerId}", ${type} names "${customerId}"`;
}

/** `pointsPerUnit` points per whole currency unit (100 minor units). */
export function pointsFor(amount: number, pointsPerUnit: number): number {
  return Math.floor(amount / 100) * pointsPerUnit;
}

function accountOf(state: LoyaltyState, customerId: string): Account {
  return state.account ?? { customerId, balance: 0, debt: 0 };
}

/** TCC try on PaymentSucceeded: pending points, not in the balance yet. */
export function decidePending(state: LoyaltyState, order: OrderRef, points: number): LoyaltyDecision {
  if (state.entry) return nothing;
  return { changes: { entry: { ...order, points, status: 'PENDING' } } };
}

/**
 * TCC confirm on OrderConfirmed: pending points join the balance. If the confirmation came
 * before the payment (another consumer), the points are confirmed from the order's total.
 */
export function decideConfirm(state: LoyaltyState, order: OrderRef, points: number): LoyaltyDecision {
  const e = state.entry;
  if (e && e.status !== 'PENDING') return nothing;
  const confirmed: Entry = e ? { ...e, status: 'CONFIRMED' } : { ...order, points, status: 'CONFIRMED' };
  const account = accountOf(state, order.customerId);
  const after = { ...account, balance: account.balance + confirmed.points };
  return {
    changes: { account: after, entry: confirmed },
    events: [draft('PointsAwarded', { orderId: order.orderId, customerId: order.customerId, points: confirmed.points, balance: after.balance })],
  };
}

/**
 * TCC cancel on OrderCancelled / OrderRefunded: pending points are dropped, confirmed ones
 * taken back; the balance never goes below 0 and the rest becomes debt. With no entry yet,
 * a tombstone makes the late payment or confirmation a no-op (barrier).
 */
export function decideRevert(state: LoyaltyState, order: OrderRef, reason: 'order_cancelled' | 'order_refunded'): LoyaltyDecision {
  const e = state.entry;
  if (!e) return { changes: { entry: { ...order, points: 0, status: 'CANCELLED' } } };
  if (e.status !== 'PENDING' && e.status !== 'CONFIRMED') return nothing;
  const account = accountOf(state, e.customerId);
  const wasConfirmed = e.status === 'CONFIRMED';
  const taken = wasConfirmed ? Math.min(account.balance, e.points) : 0;
  const debt = wasConfirmed ? e.points - taken : 0;
  const after = { ...account, balance: account.balance - taken, debt: account.debt + debt };
  const entry: Entry = { ...e, status: wasConfirmed ? 'REVERTED' : 'CANCELLED' };
  return {
    changes: wasConfirmed ? { account: after, entry } : { entry },
    events: [draft('PointsReverted', { orderId: e.orderId, customerId: e.customerId, points: e.points, wasConfirmed, debt, balance: after.balance, reason })],
  };
}

/** A newly registered customer gets `points` welcome points in the balance, once per customer. */
export function decideWelcome(state: LoyaltyState, customerId: string, points: number): LoyaltyDecision {
  if (state.welcome) return nothing;
  const account = accountOf(state, customerId);
  const after = { ...account, balance: account.balance + points };
  return {
    changes: { account: after, welcome: { customerId, points } },
    events: [draft('WelcomePointsAwarded', { customerId, points, balance: after.balance })],
  };
}
