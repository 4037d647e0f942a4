import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataOf, TransferSummary } from '@jetsaga/events';
import { message, routerSpec, SPEC_NOW, timerDue } from '@jetsaga/messaging';
import { DEADLINE, type Transfer } from './decide.js';
import { react } from './react.js';

// ---- given helpers ------------------------------------------------------------------

const spec = routerSpec(react, { settings: { deadlineMs: 30_000 } });

const summary: TransferSummary = { transferId: 'tr-1', from: { bank: 'a', accountId: 'alice' }, to: { bank: 'b', accountId: 'bob' }, amount: 300 };

function transfer(more: Partial<Transfer> = {}): Transfer {
  return { ...summary, status: 'PENDING', frozen: false, creditPrepared: false, freezeConfirmed: false, creditConfirmed: false, failReason: null, ...more };
}

const given = (t: Transfer | undefined) => spec.given({ transfer: t });
const disarm = [{ kind: DEADLINE, key: 'tr-1' }];

// ---- when: the inputs the router receives -------------------------------------------

const request = (t: TransferSummary = summary) => message('RequestTransfer', t, t.transferId);
/** A bank's event about the transfer, from `producer` (the right end's bank unless told). */
function fromBank<T extends 'FundsFrozen' | 'CreditPrepared' | 'FreezeConfirmed' | 'CreditConfirmed'>(type: T, producer?: string, t: TransferSummary = summary) {
  const end = type === 'FundsFrozen' || type === 'FreezeConfirmed' ? t.from.bank : t.to.bank;
  return { ...message(type, t as DataOf<T>, t.transferId), producer: producer ?? `bank-${end}` };
}
const freezeRefused = (reason: 'insufficient_funds' | 'unknown_account') => ({ ...message('FreezeRefused', { ...summary, reason, balance: 0 }, 'tr-1'), producer: 'bank-a' });
const creditRefused = (reason: 'unknown_account' | 'balance_limit') => ({ ...message('CreditRefused', { ...summary, reason }, 'tr-1'), producer: 'bank-b' });
const deadline = timerDue(DEADLINE, 'tr-1');

// ---- RequestTransfer --------------------------------------------------------------------

describe('RequestTransfer', () => {
  it('starts the saga: PENDING, TransferRequested, and a deadline', () => {
    given(undefined)
      .when(request())
      .then({
        changes: { transfer: transfer() },
        events: [{ type: 'TransferRequested', data: summary }],
        arm: [{ kind: DEADLINE, key: 'tr-1', dueAt: new Date(SPEC_NOW.getTime() + 30_000) }],
      });
  });

  it('starts nothing new for a transferId it has', () => {
    given(transfer({ status: 'COMPLETED' })).when(request()).thenNothing();
    given(transfer()).when(request({ ...summary, amount: 1 })).thenNothing();
  });
});

// ---- the tries ----------------------------------------------------------------------------

describe('the tries: FundsFrozen and CreditPrepared', () => {
  it('records the first try that held, and waits for the other', () => {
    given(transfer()).when(fromBank('FundsFrozen')).then({ changes: { transfer: transfer({ frozen: true }) } });
    given(transfer()).when(fromBank('CreditPrepared')).then({ changes: { transfer: transfer({ creditPrepared: true }) } });
  });

  it('confirms once both held, in either order, and disarms the deadline', () => {
    const expected = { changes: { transfer: transfer({ status: 'CONFIRMED', frozen: true, creditPrepared: true }) }, events: [{ type: 'TransferConfirmed' as const, data: summary }], disarm };
    given(transfer({ frozen: true })).when(fromBank('CreditPrepared')).then(expected);
    given(transfer({ creditPrepared: true })).when(fromBank('FundsFrozen')).then(expected);
  });

  it('then nothing happens for a try seen already, or once the transfer is decided', () => {
    given(transfer({ frozen: true })).when(fromBank('FundsFrozen')).thenNothing();
    given(transfer({ status: 'FAILED', failReason: 'timeout' })).when(fromBank('CreditPrepared')).thenNothing();
    given(transfer({ status: 'CONFIRMED', frozen: true, creditPrepared: true })).when(fromBank('CreditPrepared')).thenNothing();
  });
});

// ---- failure ------------------------------------------------------------------------------

describe('a refusal or the deadline: TransferFailed', () => {
  const failedWith = (reason: Transfer['failReason'] & string) => ({
    changes: { transfer: transfer({ status: 'FAILED', failReason: reason }) },
    events: [{ type: 'TransferFailed' as const, data: { ...summary, reason } }],
    disarm,
  });

  it('names the end and the reason of a refusal', () => {
    given(transfer()).when(freezeRefused('insufficient_funds')).then(failedWith('insufficient_funds'));
    given(transfer()).when(freezeRefused('unknown_account')).then(failedWith('unknown_source_account'));
    given(transfer()).when(creditRefused('unknown_account')).then(failedWith('unknown_destination_account'));
    given(transfer()).when(creditRefused('balance_limit')).then(failedWith('destination_limit'));
  });

  it('fails a PENDING transfer at its deadline, even with one try held', () => {
    given(transfer({ frozen: true })).when(deadline).then({ ...failedWith('timeout'), changes: { transfer: transfer({ frozen: true, status: 'FAILED', failReason: 'timeout' }) } });
  });

  it('then nothing happens once CONFIRMED: a confirmed transfer never fails', () => {
    given(transfer({ status: 'CONFIRMED', frozen: true, creditPrepared: true })).when(deadline).thenNothing();
    given(transfer({ status: 'CONFIRMED', frozen: true, creditPrepared: true })).when(creditRefused('unknown_account')).thenNothing();
  });

  it('then nothing happens when failed already', () => {
    given(transfer({ status: 'FAILED', failReason: 'timeout' })).when(freezeRefused('insufficient_funds')).thenNothing();
    given(undefined).when(deadline).thenNothing();
  });
});

// ---- completion -----------------------------------------------------------------------------

describe('the confirms: FreezeConfirmed and CreditConfirmed', () => {
  const confirmed = transfer({ status: 'CONFIRMED', frozen: true, creditPrepared: true });

  it('completes once both banks confirmed, in either order', () => {
    given(confirmed).when(fromBank('FreezeConfirmed')).then({ changes: { transfer: { ...confirmed, freezeConfirmed: true } } });
    const completed = { ...confirmed, freezeConfirmed: true, creditConfirmed: true, status: 'COMPLETED' as const };
    given({ ...confirmed, freezeConfirmed: true }).when(fromBank('CreditConfirmed')).then({ changes: { transfer: completed }, events: [{ type: 'TransferCompleted', data: summary }] });
    given({ ...confirmed, creditConfirmed: true }).when(fromBank('FreezeConfirmed')).then({ changes: { transfer: completed }, events: [{ type: 'TransferCompleted', data: summary }] });
  });

  it('then nothing happens when completed already', () => {
    given({ ...confirmed, status: 'COMPLETED', freezeConfirmed: true, creditConfirmed: true }).when(fromBank('CreditConfirmed')).thenNothing();
  });
});

// ---- facts that contradict the transfer: mismatch ------------------------------------------------

describe("a bank's event that contradicts the transfer (fact mismatch)", () => {
  it('confirms nothing on a CreditPrepared of another amount, or from another bank than the destination', () => {
    given(transfer({ frozen: true }))
      .when(fromBank('CreditPrepared', undefined, { ...summary, amount: 30_000 }))
      .then({ mismatch: "transfer tr-1: amount 30000 is not the transfer's 300" });
    given(transfer({ frozen: true }))
      .when(fromBank('CreditPrepared', 'bank-c'))
      .then({ mismatch: 'transfer tr-1: CreditPrepared comes from bank-c, not the destination bank bank-b' });
  });

  it('takes no FundsFrozen from the destination bank, nor one naming another source account', () => {
    given(transfer())
      .when(fromBank('FundsFrozen', 'bank-b'))
      .then({ mismatch: 'transfer tr-1: FundsFrozen comes from bank-b, not the source bank bank-a' });
    given(transfer())
      .when(fromBank('FundsFrozen', 'bank-a', { ...summary, from: { bank: 'a', accountId: 'mallory' } }))
      .then({ mismatch: "transfer tr-1: from a:mallory is not the transfer's a:alice" });
  });

  it('is a mismatch whatever the status', () => {
    const decision = given(transfer({ status: 'COMPLETED' })).when(fromBank('FreezeConfirmed', 'bank-x')).decision();
    assert.match(decision.mismatch ?? '', /comes from bank-x/);
  });
});
