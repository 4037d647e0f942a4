import { type Input, type ReactContext, unhandled } from '@jetsaga/messaging';
import { bankEventMismatch, DEADLINE, decideConfirmed, decideFail, decideRequest, decideTryHeld, type Transfer, type TransferDecision } from './decide.js';
import type { TransferSettings } from './settings.js';

export const transferMessages = ['RequestTransfer', 'FundsFrozen', 'FreezeRefused', 'CreditPrepared', 'CreditRefused', 'FreezeConfirmed', 'CreditConfirmed'] as const;
export const transferTimers = [DEADLINE] as const;
export type TransferInput = Input<(typeof transferMessages)[number], (typeof transferTimers)[number]>;

export interface TransferState {
  transfer: Transfer | undefined;
}

/** The transfer an input is about. */
export function transferIdOf(input: TransferInput): string {
  return input.type === DEADLINE ? input.key : input.data.transferId;
}

/** Transfer's router: every message and timer it receives, to its decision. */
export function react({ transfer }: TransferState, input: TransferInput, ctx: ReactContext<TransferSettings>): TransferDecision {
  switch (input.type) {
    case 'RequestTransfer':
      return decideRequest(transfer, input.data, ctx.now, ctx.settings.deadlineMs);
    case DEADLINE:
      return decideFail(transfer, 'timeout');
    default:
      return reactToBank(transfer, input);
  }
}

/** A bank's answer: first checked against the transfer's own record (and that the right bank sent it). */
function reactToBank(transfer: Transfer | undefined, input: Exclude<TransferInput, { type: 'RequestTransfer' | typeof DEADLINE }>): TransferDecision {
  const end = input.type === 'FundsFrozen' || input.type === 'FreezeRefused' || input.type === 'FreezeConfirmed' ? 'source' : 'destination';
  const mismatch = bankEventMismatch(transfer, input.data, input.type, end, input.producer);
  if (mismatch) return { mismatch };
  switch (input.type) {
    case 'FundsFrozen':
    case 'CreditPrepared':
      return decideTryHeld(transfer, end);
    case 'FreezeRefused':
      return decideFail(transfer, input.data.reason === 'insufficient_funds' ? 'insufficient_funds' : 'unknown_source_account');
    case 'CreditRefused':
      return decideFail(transfer, input.data.reason === 'unknown_account' ? 'unknown_destination_account' : 'destination_limit');
    case 'FreezeConfirmed':
    case 'CreditConfirmed':
      return decideConfirmed(transfer, end);
    default:
      return unhandled(input);
  }
}
