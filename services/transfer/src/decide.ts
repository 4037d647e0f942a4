import { draft, type TransferFailureReason, type TransferSummary } from '@jetsaga/events';
import type { Decision } from '@jetsaga/messaging';
import type { transferStatuses } from './schema.js';

export type TransferStatus = (typeof transferStatuses)[number];

export interface Transfer extends TransferSummary {
  status: TransferStatus;
  /** The source bank froze the amount (its FundsFrozen arrived). */
  frozen: boolean;
  /** The destination bank prepared the pending credit (its CreditPrepared arrived). */
  creditPrepared: boolean;
  freezeConfirmed: boolean;
  creditConfirmed: boolean;
  failReason: TransferFailureReason | null;
}

export type TransferDecision = Decision<{ transfer: Transfer }>;

/** The durable timer that fails a transfer still PENDING (`timeout`). */
export const DEADLINE = 'TransferDeadline';

/** Which end of the transfer a bank's event speaks for. */
export type End = 'source' | 'destination';

const nothing: TransferDecision = {};

export function summaryOf(t: TransferSummary): TransferSummary {
  return { transferId: t.transferId, from: { ...t.from }, to: { ...t.to }, amount: t.amount };
}

/**
 * What a bank's event says that contradicts the transfer's own record (its accounts, its
 * amount), or comes from another bank than the end it speaks for (`producer`); undefined when
 * it agrees. With no transfer there is nothing to contradict.
 */
export function bankEventMismatch(transfer: Transfer | undefined, event: TransferSummary, type: string, end: End, producer: string): string | undefined {
  if (!transfer) return undefined;
  const differ: string[] = [];
  const same = (a: TransferSummary['from'], b: TransferSummary['from']) => a.bank === b.bank && a.accountId === b.accountId;
  if (event.amount !== transfer.amount) differ.push(`amount ${event.amount} is not the transfer's ${transfer.amount}`);
  if (!same(event.from, transfer.from)) differ.push(`from ${event.from.bank}:${event.from.accountId} is not the transfer's ${transfer.from.bank}:${transfer.from.accountId}`);
  if (!same(event.to, transfer.to)) differ.push(`to ${event.to.bank}:${event.to.accountId} is not the transfer's ${transfer.to.bank}:${transfer.to.accountId}`);
  const bank = `bank-${end === 'source' ? transfer.from.bank : transfer.to.bank}`;
  if (producer !== bank) differ.push(`${type} comes from ${producer}, not the ${end} bank ${bank}`);
  return differ.length > 0 ? `transfer ${transfer.transferId}: ${differ.join('; ')}` : undefined;
}

/** Starts the saga with a deadline; a second RequestTransfer for an existing transferId starts nothing. */
export function decideRequest(existing: Transfer | undefined, command: TransferSummary, now: Date, deadlineMs: number): TransferDecision {
  if (existing) return nothing;
  const transfer: Transfer = { ...summaryOf(command), status: 'PENDING', frozen: false, creditPrepared: false, freezeConfirmed: false, creditConfirmed: false, failReason: null };
  return {
    changes: { transfer },
    events: [draft('TransferRequested', summaryOf(transfer))],
    arm: [{ kind: DEADLINE, key: transfer.transferId, dueAt: new Date(now.getTime() + deadlineMs) }],
  };
}

/**
 * A try held (the source froze, or the destination prepared the credit; they may arrive in
 * either order): once both have, a PENDING transfer is confirmed. A failed transfer never
 * comes back.
 */
export function decideTryHeld(transfer: Transfer | undefined, end: End): TransferDecision {
  if (transfer?.status !== 'PENDING') return nothing;
  const held: Transfer = end === 'source' ? { ...transfer, frozen: true } : { ...transfer, creditPrepared: true };
  if (held.frozen === transfer.frozen && held.creditPrepared === transfer.creditPrepared) return nothing;
  if (!held.frozen || !held.creditPrepared) return { changes: { transfer: held } };
  const confirmed: Transfer = { ...held, status: 'CONFIRMED' };
  return { changes: { transfer: confirmed }, events: [draft('TransferConfirmed', summaryOf(confirmed))], disarm: [{ kind: DEADLINE, key: transfer.transferId }] };
}

/** A bank refused its try, or the deadline passed: a PENDING transfer fails, and every try is cancelled. */
export function decideFail(transfer: Transfer | undefined, reason: TransferFailureReason): TransferDecision {
  if (transfer?.status !== 'PENDING') return nothing;
  const failed: Transfer = { ...transfer, status: 'FAILED', failReason: reason };
  return { changes: { transfer: failed }, events: [draft('TransferFailed', { ...summaryOf(failed), reason })], disarm: [{ kind: DEADLINE, key: transfer.transferId }] };
}

/** A bank confirmed its end: once both have, the CONFIRMED transfer is COMPLETED. */
export function decideConfirmed(transfer: Transfer | undefined, end: End): TransferDecision {
  if (transfer?.status !== 'CONFIRMED') return nothing;
  const after: Transfer = end === 'source' ? { ...transfer, freezeConfirmed: true } : { ...transfer, creditConfirmed: true };
  if (after.freezeConfirmed === transfer.freezeConfirmed && after.creditConfirmed === transfer.creditConfirmed) return nothing;
  if (!after.freezeConfirmed || !after.creditConfirmed) return { changes: { transfer: after } };
  const completed: Transfer = { ...after, status: 'COMPLETED' };
  return { changes: { transfer: completed }, events: [draft('TransferCompleted', summaryOf(completed))] };
}
