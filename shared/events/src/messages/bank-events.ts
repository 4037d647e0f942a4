import { z } from 'zod';
import { defineEvent } from '../define.js';
import { amount } from '../ids.js';
import { transferSummary } from './common.js';

export const FundsFrozen = defineEvent({
  type: 'FundsFrozen',
  version: 1,
  owner: 'bank',
  sagaKey: 'transferId',
  summary:
    "The source bank (`from.bank`) froze the amount in the source account (TCC try): out of its balance, not spendable, not gone yet. The destination bank now prepares the credit.",
  data: transferSummary,
});
export type FundsFrozenData = z.infer<typeof FundsFrozen.data>;

export const freezeRefusalReasons = ['insufficient_funds', 'unknown_account'] as const;

export const FreezeRefused = defineEvent({
  type: 'FreezeRefused',
  version: 1,
  failure: true,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: "The source bank froze nothing: the account's balance (`balance`) does not cover the amount, or the account does not exist (`balance` 0).",
  data: transferSummary.extend({ reason: z.enum(freezeRefusalReasons), balance: amount }),
});
export type FreezeRefusedData = z.infer<typeof FreezeRefused.data>;

export const CreditPrepared = defineEvent({
  type: 'CreditPrepared',
  version: 1,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: 'The destination bank (`to.bank`) recorded a pending credit of the amount for the destination account (TCC try): not in its balance yet.',
  data: transferSummary,
});
export type CreditPreparedData = z.infer<typeof CreditPrepared.data>;

export const creditRefusalReasons = ['unknown_account', 'balance_limit'] as const;

export const CreditRefused = defineEvent({
  type: 'CreditRefused',
  version: 1,
  failure: true,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: 'The destination bank prepared nothing: the account does not exist, or the credit would take it past 1000000000000 (`balance_limit`).',
  data: transferSummary.extend({ reason: z.enum(creditRefusalReasons) }),
});
export type CreditRefusedData = z.infer<typeof CreditRefused.data>;

export const FreezeConfirmed = defineEvent({
  type: 'FreezeConfirmed',
  version: 1,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: 'The source bank turned the freeze into a debit (TCC confirm): the amount has left the source account.',
  data: transferSummary,
});
export type FreezeConfirmedData = z.infer<typeof FreezeConfirmed.data>;

export const FreezeReleased = defineEvent({
  type: 'FreezeReleased',
  version: 1,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: 'The transfer failed: the source bank gave the frozen amount back to the balance (TCC cancel).',
  data: transferSummary,
});
export type FreezeReleasedData = z.infer<typeof FreezeReleased.data>;

export const CreditConfirmed = defineEvent({
  type: 'CreditConfirmed',
  version: 1,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: 'The destination bank turned the pending credit into balance (TCC confirm): the amount has arrived.',
  data: transferSummary,
});
export type CreditConfirmedData = z.infer<typeof CreditConfirmed.data>;

export const CreditDropped = defineEvent({
  type: 'CreditDropped',
  version: 1,
  owner: 'bank',
  sagaKey: 'transferId',
  summary: 'The transfer failed: the destination bank dropped the pending credit (TCC cancel).',
  data: transferSummary,
});
export type CreditDroppedData = z.infer<typeof CreditDropped.data>;
