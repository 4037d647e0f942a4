import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import { type BankDecision, type BankState, decideCancel, decideConfirm, decideDeposit, decideFreeze, decidePrepareCredit } from './decide.js';
import type { BankSettings } from './settings.js';

export const bankMessages = ['Deposit', 'TransferRequested', 'FundsFrozen', 'TransferConfirmed', 'TransferFailed'] as const;
export type BankInput = Input<(typeof bankMessages)[number]>;

/**
 * A bank's router: every message it receives, to its decision. Every bank gets every
 * transfer's events; `bankId` (this instance: `a` for bank-a) says whether it is the
 * transfer's source, its destination, both, or neither.
 */
export function react(state: BankState, input: BankInput, ctx: ReactContext<BankSettings>): BankDecision {
  const me = ctx.settings.bankId;
  switch (input.type) {
    case 'Deposit':
      return decideDeposit(state, input.data);
    case 'TransferRequested':
      return decideFreeze(state, input.data, me);
    case 'FundsFrozen':
      return decidePrepareCredit(state, input.data, me, input.producer);
    case 'TransferConfirmed':
      return decideConfirm(state, input.data, me);
    case 'TransferFailed':
      return decideCancel(state, input.data, me);
    default:
      return unhandled(input);
  }
}
