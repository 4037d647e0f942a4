import { z } from 'zod';
import { defineEvent } from '../define.js';
import { transferSummary } from './common.js';

export const TransferRequested = defineEvent({
  type: 'TransferRequested',
  version: 1,
  owner: 'transfer',
  sagaKey: 'transferId',
  summary: 'A transfer was accepted as PENDING; the source bank now tries to freeze the amount.',
  data: transferSummary,
});
export type TransferRequestedData = z.infer<typeof TransferRequested.data>;

export const TransferConfirmed = defineEvent({
  type: 'TransferConfirmed',
  version: 1,
  owner: 'transfer',
  sagaKey: 'transferId',
  summary:
    'Both tries held (the source bank froze the amount, the destination bank prepared a pending credit): the transfer is CONFIRMED and both banks confirm (TCC confirm). It cannot fail any more.',
  data: transferSummary,
});
export type TransferConfirmedData = z.infer<typeof TransferConfirmed.data>;

/** Why a transfer failed: a bank's refusal (at which end), or the deadline. */
export const transferFailureReasons = ['insufficient_funds', 'unknown_source_account', 'unknown_destination_account', 'destination_limit', 'timeout'] as const;
export type TransferFailureReason = (typeof transferFailureReasons)[number];

export const TransferFailed = defineEvent({
  type: 'TransferFailed',
  version: 1,
  failure: true,
  owner: 'transfer',
  sagaKey: 'transferId',
  summary:
    "The transfer is FAILED; each bank cancels what it tried (TCC cancel: the freeze released, the pending credit dropped; a cancel before its try leaves a tombstone). `reason`: the source account's `insufficient_funds` or `unknown_source_account`, the destination's `unknown_destination_account` or `destination_limit`, or `timeout` (the transfer's deadline).",
  data: transferSummary.extend({ reason: z.enum(transferFailureReasons) }),
});
export type TransferFailedData = z.infer<typeof TransferFailed.data>;

export const TransferCompleted = defineEvent({
  type: 'TransferCompleted',
  version: 1,
  owner: 'transfer',
  sagaKey: 'transferId',
  summary: 'Both banks confirmed (the freeze became a debit, the pending credit balance): the money has moved; the transfer is COMPLETED.',
  data: transferSummary,
});
export type TransferCompletedData = z.infer<typeof TransferCompleted.data>;
