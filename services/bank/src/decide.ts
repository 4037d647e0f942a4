import { type DepositData, draft, type EventDraft, MAX_WALLET_BALANCE, type TransferSummary } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';
import type { creditStatuses, freezeStatuses } from './schema.js';

/** The most an account may hold: balance, frozen and pending together. */
export const MAX_ACCOUNT_HOLDINGS = MAX_WALLET_BALANCE;

export interface Account {
  accountId: string;
  balance: number;
  frozen: number;
  pending: number;
  deposited: number;
  sent: number;
  received: number;
}

export type FreezeStatus = (typeof freezeStatuses)[number];
export type CreditStatus = (typeof creditStatuses)[number];

/** This bank as the transfer's source. */
export interface Freeze {
  transferId: string;
  accountId: string;
  amount: number;
  status: FreezeStatus;
}

/** This bank as the transfer's destination. */
export interface Credit {
  transferId: string;
  accountId: string;
  amount: number;
  status: CreditStatus;
}

/**
 * What an input needs: the transfer's freeze and credit at this bank, if any, and the accounts
 * they concern (those of the rows when there are rows, else those the input names), by id.
 */
export interface BankState {
  accounts: ReadonlyMap<string, Account>;
  freeze: Freeze | undefined;
  credit: Credit | undefined;
}

export interface BankChanges {
  accounts?: Account[];
  freeze?: Freeze;
  credit?: Credit;
}

export type BankDecision = Decision<BankChanges>;

const nothing: BankDecision = {};

/** The transfer as the bank's events carry it (a TransferFailed's reason is not theirs). */
function summary(t: TransferSummary): TransferSummary {
  return { transferId: t.transferId, from: t.from, to: t.to, amount: t.amount };
}

function holdings(a: Account): number {
  return a.balance + a.frozen + a.pending;
}

function newAccount(accountId: string): Account {
  return { accountId, balance: 0, frozen: 0, pending: 0, deposited: 0, sent: 0, received: 0 };
}

/**
 * Adds money to an account; the first deposit opens it. A deposit that would take its holdings
 * past MAX_ACCOUNT_HOLDINGS is refused whole (a mismatch: dead-lettered at once, nothing added).
 */
export function decideDeposit(state: BankState, command: DepositData): BankDecision {
  const before = state.accounts.get(command.accountId) ?? newAccount(command.accountId);
  if (holdings(before) + command.amount > MAX_ACCOUNT_HOLDINGS) {
    return {
      mismatch: `account ${command.accountId}: a deposit of ${command.amount} would take its holdings from ${holdings(before)} to ${holdings(before) + command.amount}, past the limit ${MAX_ACCOUNT_HOLDINGS}`,
    };
  }
  return { changes: { accounts: [{ ...before, balance: before.balance + command.amount, deposited: before.deposited + command.amount }] } };
}

/**
 * What a transfer's event says that contradicts this bank's own rows for it (the account and
 * amount of its freeze or credit, and that it is the source or destination at all), or
 * undefined when it agrees. Checked on every transfer input, whatever the rows' status.
 */
export function transferMismatch(state: BankState, t: TransferSummary, type: string, bankId: string): string | undefined {
  const differ: string[] = [];
  const f = state.freeze;
  if (f && (t.from.bank !== bankId || t.from.accountId !== f.accountId || t.amount !== f.amount)) {
    differ.push(`its freeze here is ${f.amount} from account ${f.accountId}, ${type} says ${t.amount} from ${t.from.bank}:${t.from.accountId}`);
  }
  const c = state.credit;
  if (c && (t.to.bank !== bankId || t.to.accountId !== c.accountId || t.amount !== c.amount)) {
    differ.push(`its credit here is ${c.amount} to account ${c.accountId}, ${type} says ${t.amount} to ${t.to.bank}:${t.to.accountId}`);
  }
  return differ.length > 0 ? `transfer ${t.transferId} at bank-${bankId}: ${differ.join('; ')}` : undefined;
}

/**
 * TCC try at the source: freeze the amount (out of the balance, into frozen), once. An unknown
 * account or a balance short of the amount refuses it (a REFUSED row, so a retry decides the
 * same). A freeze row of any status (a tombstone too) makes a repeat, or a try after the
 * cancel, a no-op. A transfer from another bank is not this bank's business.
 */
export function decideFreeze(state: BankState, t: TransferSummary, bankId: string): BankDecision {
  const mismatch = transferMismatch(state, t, 'TransferRequested', bankId);
  if (mismatch) return { mismatch };
  if (t.from.bank !== bankId || state.freeze) return nothing;
  const freeze = (status: FreezeStatus): Freeze => ({ transferId: t.transferId, accountId: t.from.accountId, amount: t.amount, status });
  const account = state.accounts.get(t.from.accountId);
  if (!account) {
    return { changes: { freeze: freeze('REFUSED') }, events: [draft('FreezeRefused', { ...summary(t), reason: 'unknown_account', balance: 0 })] };
  }
  if (account.balance < t.amount) {
    return { changes: { freeze: freeze('REFUSED') }, events: [draft('FreezeRefused', { ...summary(t), reason: 'insufficient_funds', balance: account.balance })] };
  }
  return {
    changes: { accounts: [{ ...account, balance: account.balance - t.amount, frozen: account.frozen + t.amount }], freeze: freeze('FROZEN') },
    events: [draft('FundsFrozen', summary(t))],
  };
}

/**
 * TCC try at the destination, once the source froze the amount: a pending credit (not in the
 * balance yet), once. Only the source bank's own FundsFrozen counts (`producer`). An unknown
 * account, or holdings that would pass the limit, refuse it.
 */
export function decidePrepareCredit(state: BankState, t: TransferSummary, bankId: string, producer: string): BankDecision {
  const mismatch = transferMismatch(state, t, 'FundsFrozen', bankId);
  if (mismatch) return { mismatch };
  if (t.to.bank !== bankId) return nothing;
  if (producer !== `bank-${t.from.bank}`) {
    return { mismatch: `transfer ${t.transferId}: FundsFrozen from ${producer}, but the transfer's source is bank-${t.from.bank}` };
  }
  if (state.credit) return nothing;
  const credit = (status: CreditStatus): Credit => ({ transferId: t.transferId, accountId: t.to.accountId, amount: t.amount, status });
  const account = state.accounts.get(t.to.accountId);
  if (!account) return { changes: { credit: credit('REFUSED') }, events: [draft('CreditRefused', { ...summary(t), reason: 'unknown_account' })] };
  if (holdings(account) + t.amount > MAX_ACCOUNT_HOLDINGS) {
    return { changes: { credit: credit('REFUSED') }, events: [draft('CreditRefused', { ...summary(t), reason: 'balance_limit' })] };
  }
  return { changes: { accounts: [{ ...account, pending: account.pending + t.amount }], credit: credit('PENDING') }, events: [draft('CreditPrepared', summary(t))] };
}

/** The decisions of both ends at this bank (a same-bank transfer is both), as one. */
class Outcome {
  private readonly accounts = new Map<string, Account>();
  private readonly changes: BankChanges = {};
  private readonly events: EventDraft[] = [];

  constructor(private readonly state: BankState) {}

  account(accountId: string): Account {
    return this.accounts.get(accountId) ?? this.state.accounts.get(accountId) ?? newAccount(accountId);
  }

  update(a: Account): void {
    this.accounts.set(a.accountId, a);
  }

  freeze(f: Freeze, event?: EventDraft): void {
    this.changes.freeze = f;
    if (event) this.events.push(event);
  }

  credit(c: Credit, event?: EventDraft): void {
    this.changes.credit = c;
    if (event) this.events.push(event);
  }

  decision(): BankDecision {
    const accounts = [...this.accounts.values()];
    const changes = { ...this.changes, ...(accounts.length ? { accounts } : {}) };
    return Object.keys(changes).length ? { changes, events: this.events } : nothing;
  }
}

/**
 * TCC confirm on TransferConfirmed: the freeze becomes a debit (it leaves the account), the
 * pending credit becomes balance; each once. The transfer confirms only after this bank's own
 * tries held, so a confirm that finds no try, or one cancelled, contradicts this bank's rows.
 */
export function decideConfirm(state: BankState, t: TransferSummary, bankId: string): BankDecision {
  const mismatch = transferMismatch(state, t, 'TransferConfirmed', bankId);
  if (mismatch) return { mismatch };
  const out = new Outcome(state);
  if (t.from.bank === bankId) {
    const f = state.freeze;
    if (f?.status === 'FROZEN') {
      const a = out.account(f.accountId);
      out.update({ ...a, frozen: a.frozen - f.amount, sent: a.sent + f.amount });
      out.freeze({ ...f, status: 'DEBITED' }, draft('FreezeConfirmed', summary(t)));
    } else if (f?.status !== 'DEBITED') {
      return { mismatch: `transfer ${t.transferId} at bank-${bankId}: TransferConfirmed, but its freeze here is ${f?.status ?? 'missing'}` };
    }
  }
  if (t.to.bank === bankId) {
    const c = state.credit;
    if (c?.status === 'PENDING') {
      const a = out.account(c.accountId);
      out.update({ ...a, pending: a.pending - c.amount, balance: a.balance + c.amount, received: a.received + c.amount });
      out.credit({ ...c, status: 'CREDITED' }, draft('CreditConfirmed', summary(t)));
    } else if (c?.status !== 'CREDITED') {
      return { mismatch: `transfer ${t.transferId} at bank-${bankId}: TransferConfirmed, but its credit here is ${c?.status ?? 'missing'}` };
    }
  }
  return out.decision();
}

/**
 * TCC cancel on TransferFailed: a freeze goes back to the balance, a pending credit is dropped;
 * each once. With no try yet, a tombstone (CANCELLED) makes the late try a no-op (barrier). A
 * confirmed try cannot be cancelled: the transfer never fails after it confirms.
 */
export function decideCancel(state: BankState, t: TransferSummary, bankId: string): BankDecision {
  const mismatch = transferMismatch(state, t, 'TransferFailed', bankId);
  if (mismatch) return { mismatch };
  const out = new Outcome(state);
  if (t.from.bank === bankId) {
    const f = state.freeze;
    if (!f) out.freeze({ transferId: t.transferId, accountId: t.from.accountId, amount: t.amount, status: 'CANCELLED' });
    else if (f.status === 'FROZEN') {
      const a = out.account(f.accountId);
      out.update({ ...a, frozen: a.frozen - f.amount, balance: a.balance + f.amount });
      out.freeze({ ...f, status: 'RELEASED' }, draft('FreezeReleased', summary(t)));
    } else if (f.status === 'DEBITED') {
      return { mismatch: `transfer ${t.transferId} at bank-${bankId}: TransferFailed, but its freeze here is DEBITED` };
    }
  }
  if (t.to.bank === bankId) {
    const c = state.credit;
    if (!c) out.credit({ transferId: t.transferId, accountId: t.to.accountId, amount: t.amount, status: 'CANCELLED' });
    else if (c.status === 'PENDING') {
      const a = out.account(c.accountId);
      out.update({ ...a, pending: a.pending - c.amount });
      out.credit({ ...c, status: 'DROPPED' }, draft('CreditDropped', summary(t)));
    } else if (c.status === 'CREDITED') {
      return { mismatch: `transfer ${t.transferId} at bank-${bankId}: TransferFailed, but its credit here is CREDITED` };
    }
  }
  return out.decision();
}
