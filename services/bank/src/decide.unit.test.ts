import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TransferSummary } from '@jetsaga/events';
import { message, routerSpec } from '@jetsaga/messaging';
import { type Account, type BankState, type Credit, type Freeze, MAX_ACCOUNT_HOLDINGS } from './decide.js';
import { react } from './react.js';

// ---- given helpers ------------------------------------------------------------------

/** Bank a's router (the service bank-a). */
const spec = routerSpec(react, { settings: { bankId: 'a' } });

/** 300 from a:alice to b:bob (bank a is the source). */
const outgoing: TransferSummary = { transferId: 'tr-1', from: { bank: 'a', accountId: 'alice' }, to: { bank: 'b', accountId: 'bob' }, amount: 300 };
/** 300 from b:bob to a:alice (bank a is the destination). */
const incoming: TransferSummary = { transferId: 'tr-1', from: { bank: 'b', accountId: 'bob' }, to: { bank: 'a', accountId: 'alice' }, amount: 300 };
/** 300 from a:alice to a:carol (bank a is both). */
const within: TransferSummary = { transferId: 'tr-1', from: { bank: 'a', accountId: 'alice' }, to: { bank: 'a', accountId: 'carol' }, amount: 300 };

function account(accountId: string, balance: number, more: Partial<Account> = {}): Account {
  return { accountId, balance, frozen: 0, pending: 0, deposited: balance, sent: 0, received: 0, ...more };
}

function state(accounts: Account[], rows: { freeze?: Freeze; credit?: Credit } = {}): BankState {
  return { accounts: new Map(accounts.map((a) => [a.accountId, a])), freeze: rows.freeze, credit: rows.credit };
}

const freeze = (status: Freeze['status'], more: Partial<Freeze> = {}): Freeze => ({ transferId: 'tr-1', accountId: 'alice', amount: 300, status, ...more });
const credit = (status: Credit['status'], more: Partial<Credit> = {}): Credit => ({ transferId: 'tr-1', accountId: 'alice', amount: 300, status, ...more });

// ---- when: the inputs the router receives -------------------------------------------

const deposit = (accountId: string, amount: number) => message('Deposit', { accountId, amount });
const requested = (t: TransferSummary) => message('TransferRequested', t, t.transferId);
/** FundsFrozen as the source bank of `t` sends it (its producer is that bank). */
const fundsFrozen = (t: TransferSummary, producer = `bank-${t.from.bank}`) => ({ ...message('FundsFrozen', t, t.transferId), producer });
const confirmed = (t: TransferSummary) => message('TransferConfirmed', t, t.transferId);
const failed = (t: TransferSummary) => message('TransferFailed', { ...t, reason: 'timeout' }, t.transferId);

// ---- Deposit ------------------------------------------------------------------------

describe('Deposit', () => {
  it('opens the account with its first deposit', () => {
    spec.given(state([])).when(deposit('alice', 500)).then({ changes: { accounts: [account('alice', 500)] } });
  });

  it('adds to the balance and to what was deposited', () => {
    spec
      .given(state([account('alice', 200, { frozen: 50, deposited: 250 })]))
      .when(deposit('alice', 100))
      .then({ changes: { accounts: [account('alice', 300, { frozen: 50, deposited: 350 })] } });
  });

  it('refuses, whole, a deposit that would take the holdings (balance, frozen, pending) past the limit', () => {
    spec
      .given(state([account('alice', MAX_ACCOUNT_HOLDINGS - 100, { frozen: 50, pending: 50 })]))
      .when(deposit('alice', 1))
      .then({ mismatch: `account alice: a deposit of 1 would take its holdings from ${MAX_ACCOUNT_HOLDINGS} to ${MAX_ACCOUNT_HOLDINGS + 1}, past the limit ${MAX_ACCOUNT_HOLDINGS}` });
  });
});

// ---- TransferRequested: the source's try ----------------------------------------------

describe('TransferRequested (this bank is the source)', () => {
  it('freezes the amount: out of the balance, into frozen, and says FundsFrozen', () => {
    spec
      .given(state([account('alice', 1000)]))
      .when(requested(outgoing))
      .then({
        changes: { accounts: [account('alice', 700, { frozen: 300, deposited: 1000 })], freeze: freeze('FROZEN') },
        events: [{ type: 'FundsFrozen', data: outgoing }],
      });
  });

  it('freezes a balance of exactly the amount, leaving 0', () => {
    const decision = spec.given(state([account('alice', 300)])).when(requested(outgoing)).decision();
    assert.deepEqual(decision.changes?.accounts, [account('alice', 0, { frozen: 300, deposited: 300 })]);
  });

  it('refuses a balance one short: a REFUSED row, nothing frozen, FreezeRefused with the balance', () => {
    spec
      .given(state([account('alice', 299)]))
      .when(requested(outgoing))
      .then({ changes: { freeze: freeze('REFUSED') }, events: [{ type: 'FreezeRefused', data: { ...outgoing, reason: 'insufficient_funds', balance: 299 } }] });
  });

  it('refuses an unknown account, opening none', () => {
    spec
      .given(state([]))
      .when(requested(outgoing))
      .then({ changes: { freeze: freeze('REFUSED') }, events: [{ type: 'FreezeRefused', data: { ...outgoing, reason: 'unknown_account', balance: 0 } }] });
  });

  for (const status of ['FROZEN', 'DEBITED', 'RELEASED', 'REFUSED'] as const) {
    it(`then nothing happens when the transfer has a freeze already (${status})`, () => {
      spec.given(state([account('alice', 1000)], { freeze: freeze(status) })).when(requested(outgoing)).thenNothing();
    });
  }

  it('freezes nothing when the cancel came first (CANCELLED tombstone)', () => {
    spec.given(state([account('alice', 1000)], { freeze: freeze('CANCELLED') })).when(requested(outgoing)).thenNothing();
  });

  it('then nothing happens at a bank that is not the source', () => {
    spec.given(state([account('alice', 1000)])).when(requested(incoming)).thenNothing();
  });
});

// ---- FundsFrozen: the destination's try ------------------------------------------------

describe('FundsFrozen (this bank is the destination)', () => {
  it('records a pending credit, not in the balance, and says CreditPrepared', () => {
    spec
      .given(state([account('alice', 100)]))
      .when(fundsFrozen(incoming))
      .then({ changes: { accounts: [account('alice', 100, { pending: 300 })], credit: credit('PENDING') }, events: [{ type: 'CreditPrepared', data: incoming }] });
  });

  it('refuses an unknown account', () => {
    spec
      .given(state([]))
      .when(fundsFrozen(incoming))
      .then({ changes: { credit: credit('REFUSED') }, events: [{ type: 'CreditRefused', data: { ...incoming, reason: 'unknown_account' } }] });
  });

  it('refuses a credit that would take the holdings past the limit', () => {
    spec
      .given(state([account('alice', MAX_ACCOUNT_HOLDINGS - 299)]))
      .when(fundsFrozen(incoming))
      .then({ changes: { credit: credit('REFUSED') }, events: [{ type: 'CreditRefused', data: { ...incoming, reason: 'balance_limit' } }] });
  });

  for (const status of ['PENDING', 'CREDITED', 'DROPPED', 'REFUSED', 'CANCELLED'] as const) {
    it(`then nothing happens when the transfer has a credit already (${status})`, () => {
      spec.given(state([account('alice', 100)], { credit: credit(status) })).when(fundsFrozen(incoming)).thenNothing();
    });
  }

  it('then nothing happens at the source bank reading its own FundsFrozen', () => {
    spec.given(state([account('alice', 700, { frozen: 300 })], { freeze: freeze('FROZEN') })).when(fundsFrozen(outgoing)).thenNothing();
  });

  it('prepares the credit at the same bank after its own freeze (a same-bank transfer)', () => {
    const decision = spec.given(state([account('alice', 700, { frozen: 300 }), account('carol', 0)], { freeze: freeze('FROZEN') })).when(fundsFrozen(within)).decision();
    assert.deepEqual(decision.changes, { accounts: [account('carol', 0, { pending: 300 })], credit: credit('PENDING', { accountId: 'carol' }) });
  });

  it('is a mismatch when FundsFrozen comes from another bank than the transfer\'s source', () => {
    spec
      .given(state([account('alice', 100)]))
      .when(fundsFrozen(incoming, 'bank-c'))
      .then({ mismatch: 'transfer tr-1: FundsFrozen from bank-c, but the transfer\'s source is bank-b' });
  });
});

// ---- TransferConfirmed: confirm ------------------------------------------------------------

describe('TransferConfirmed', () => {
  it('at the source: the freeze becomes a debit (it leaves the account)', () => {
    spec
      .given(state([account('alice', 700, { frozen: 300, deposited: 1000 })], { freeze: freeze('FROZEN') }))
      .when(confirmed(outgoing))
      .then({
        changes: { accounts: [account('alice', 700, { deposited: 1000, sent: 300 })], freeze: freeze('DEBITED') },
        events: [{ type: 'FreezeConfirmed', data: outgoing }],
      });
  });

  it('at the destination: the pending credit becomes balance', () => {
    spec
      .given(state([account('alice', 100, { pending: 300 })], { credit: credit('PENDING') }))
      .when(confirmed(incoming))
      .then({
        changes: { accounts: [account('alice', 400, { deposited: 100, received: 300 })], credit: credit('CREDITED') },
        events: [{ type: 'CreditConfirmed', data: incoming }],
      });
  });

  it('at a bank that is both: both ends in one step, the freeze first', () => {
    spec
      .given(state([account('alice', 700, { frozen: 300, deposited: 1000 }), account('carol', 0, { pending: 300 })], { freeze: freeze('FROZEN'), credit: credit('PENDING', { accountId: 'carol' }) }))
      .when(confirmed(within))
      .then({
        changes: {
          freeze: freeze('DEBITED'),
          credit: credit('CREDITED', { accountId: 'carol' }),
          accounts: [account('alice', 700, { deposited: 1000, sent: 300 }), account('carol', 300, { deposited: 0, received: 300 })],
        },
        events: [
          { type: 'FreezeConfirmed', data: within },
          { type: 'CreditConfirmed', data: within },
        ],
      });
  });

  it('then nothing happens when confirmed already', () => {
    spec.given(state([account('alice', 700, { sent: 300 })], { freeze: freeze('DEBITED') })).when(confirmed(outgoing)).thenNothing();
    spec.given(state([account('alice', 400, { received: 300 })], { credit: credit('CREDITED') })).when(confirmed(incoming)).thenNothing();
  });

  it('is a mismatch when this bank has no try to confirm, or one that was cancelled', () => {
    spec.given(state([account('alice', 1000)])).when(confirmed(outgoing)).then({ mismatch: 'transfer tr-1 at bank-a: TransferConfirmed, but its freeze here is missing' });
    spec
      .given(state([account('alice', 1000)], { freeze: freeze('RELEASED') }))
      .when(confirmed(outgoing))
      .then({ mismatch: 'transfer tr-1 at bank-a: TransferConfirmed, but its freeze here is RELEASED' });
    spec
      .given(state([account('alice', 100)], { credit: credit('CANCELLED') }))
      .when(confirmed(incoming))
      .then({ mismatch: 'transfer tr-1 at bank-a: TransferConfirmed, but its credit here is CANCELLED' });
  });

  it('then nothing happens at a bank that is neither end', () => {
    const elsewhere: TransferSummary = { ...outgoing, from: { bank: 'b', accountId: 'bob' }, to: { bank: 'c', accountId: 'dave' } };
    spec.given(state([])).when(confirmed(elsewhere)).thenNothing();
  });
});

// ---- TransferFailed: cancel -----------------------------------------------------------------

describe('TransferFailed', () => {
  it('at the source: the freeze goes back to the balance', () => {
    spec
      .given(state([account('alice', 700, { frozen: 300, deposited: 1000 })], { freeze: freeze('FROZEN') }))
      .when(failed(outgoing))
      .then({ changes: { accounts: [account('alice', 1000)], freeze: freeze('RELEASED') }, events: [{ type: 'FreezeReleased', data: outgoing }] });
  });

  it('at the destination: the pending credit is dropped', () => {
    spec
      .given(state([account('alice', 100, { pending: 300 })], { credit: credit('PENDING') }))
      .when(failed(incoming))
      .then({ changes: { accounts: [account('alice', 100)], credit: credit('DROPPED') }, events: [{ type: 'CreditDropped', data: incoming }] });
  });

  it('before the try: a tombstone (CANCELLED) for the late try, no event', () => {
    spec.given(state([account('alice', 1000)])).when(failed(outgoing)).then({ changes: { freeze: freeze('CANCELLED') } });
    spec.given(state([account('alice', 100)])).when(failed(incoming)).then({ changes: { credit: credit('CANCELLED') } });
  });

  it('at a bank that is both, before any try: both tombstones', () => {
    spec.given(state([])).when(failed(within)).then({ changes: { freeze: freeze('CANCELLED'), credit: credit('CANCELLED', { accountId: 'carol' }) } });
  });

  for (const status of ['REFUSED', 'RELEASED', 'CANCELLED'] as const) {
    it(`then nothing happens when the freeze is ${status}`, () => {
      spec.given(state([account('alice', 1000)], { freeze: freeze(status) })).when(failed(outgoing)).thenNothing();
    });
  }

  it('is a mismatch to cancel a confirmed try', () => {
    spec
      .given(state([account('alice', 700, { sent: 300 })], { freeze: freeze('DEBITED') }))
      .when(failed(outgoing))
      .then({ mismatch: 'transfer tr-1 at bank-a: TransferFailed, but its freeze here is DEBITED' });
  });
});

// ---- facts that contradict this bank's rows: mismatch -----------------------------------------

describe("a transfer's event naming another account or amount than this bank's own try (fact mismatch)", () => {
  const frozen = state([account('alice', 700, { frozen: 300 })], { freeze: freeze('FROZEN') });

  it('confirms nothing when TransferConfirmed names another amount than the freeze', () => {
    spec
      .given(frozen)
      .when(confirmed({ ...outgoing, amount: 3000 }))
      .then({ mismatch: 'transfer tr-1 at bank-a: its freeze here is 300 from account alice, TransferConfirmed says 3000 from a:alice' });
  });

  it('releases nothing when TransferFailed names another account than the freeze', () => {
    spec
      .given(frozen)
      .when(failed({ ...outgoing, from: { bank: 'a', accountId: 'mallory' } }))
      .then({ mismatch: 'transfer tr-1 at bank-a: its freeze here is 300 from account alice, TransferFailed says 300 from a:mallory' });
  });

  it('credits nothing when TransferConfirmed names another destination account than the pending credit', () => {
    spec
      .given(state([account('alice', 100, { pending: 300 })], { credit: credit('PENDING') }))
      .when(confirmed({ ...incoming, to: { bank: 'a', accountId: 'mallory' } }))
      .then({ mismatch: 'transfer tr-1 at bank-a: its credit here is 300 to account alice, TransferConfirmed says 300 to a:mallory' });
  });

  it('is a mismatch whatever the try\'s status (a tombstone too)', () => {
    spec
      .given(state([account('alice', 1000)], { freeze: freeze('CANCELLED') }))
      .when(requested({ ...outgoing, amount: 1 }))
      .then({ mismatch: 'transfer tr-1 at bank-a: its freeze here is 300 from account alice, TransferRequested says 1 from a:alice' });
  });
});
