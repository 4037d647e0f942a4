import type { Envelope, RequestTransferData } from '@jetsaga/events';
import type { TestStack } from '../support/harness.js';

/**
 * Transfers in the chaos run (`--mix orders,transfers`): banks a and b, rich accounts, a few
 * poor ones, and transfers between them, within a bank and across, some refused (not enough
 * money, no such account), all under the same kills, pauses and broker restarts as the orders.
 */

/** What the chaos run starts: which sagas, and how many of each in a hundred. */
export interface Mix {
  orders: number;
  transfers: number;
}

/** `orders` (the default), `orders,transfers` (one each), `orders=3,transfers=1`, `transfers`. */
export function parseMix(raw: string): Mix {
  const mix: Mix = { orders: 0, transfers: 0 };
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(orders|transfers)(?:=(\d+))?$/.exec(part);
    if (!m) throw new Error(`--mix: "${part}" is not orders or transfers (with an optional weight: orders=3,transfers=1)`);
    mix[m[1] as keyof Mix] = Number(m[2] ?? 1);
  }
  if (mix.orders + mix.transfers === 0) throw new Error('--mix: nothing to run');
  return mix;
}

const BANKS = ['a', 'b'] as const;
const RICH = 10;
const POOR = 3;

/** Rich accounts at each bank, and a few poor ones. */
export async function seedBanks(t: TestStack): Promise<void> {
  for (const bank of BANKS) {
    for (let i = 0; i < RICH; i++) await t.send('Deposit', { accountId: `rich-${i}`, amount: 100_000_000 }, { to: `bank-${bank}` });
    for (let i = 0; i < POOR; i++) await t.send('Deposit', { accountId: `poor-${i}`, amount: 100 }, { to: `bank-${bank}` });
  }
}

/**
 * A transfer: mostly rich to rich (a third within one bank), a tenth from a poor account
 * (refused for funds unless small), and a few to an account that does not exist.
 */
export function transferFor(random: () => number, transferId: string): RequestTransferData {
  const bank = () => BANKS[Math.floor(random() * BANKS.length)]!;
  const fromBank = bank();
  const toBank = random() < 1 / 3 ? fromBank : bank();
  const poor = random() < 0.1;
  const from = { bank: fromBank, accountId: poor ? `poor-${Math.floor(random() * POOR)}` : `rich-${Math.floor(random() * RICH)}` };
  let to = { bank: toBank, accountId: random() < 0.03 ? 'nobody' : `rich-${Math.floor(random() * RICH)}` };
  if (to.bank === from.bank && to.accountId === from.accountId) to = { ...to, accountId: `poor-${Math.floor(random() * POOR)}` };
  return { transferId, from, to, amount: 1 + Math.floor(random() * 5_000) };
}

/** Each transfer's status (none: never created). */
export function transferStatuses(t: TestStack): Map<string, string> {
  return new Map(t.rows<{ transfer_id: string; status: string }>('transfer', 'SELECT transfer_id, status FROM transfers').map((r) => [r.transfer_id, r.status]));
}

/**
 * The EVENTS stream's side, per transfer: each event type emitted once (copies of one envelope
 * count once), exactly one of TransferCompleted / TransferFailed, and every try it saw
 * cancelled when it failed (a FundsFrozen has its FreezeReleased, a CreditPrepared its
 * CreditDropped).
 */
export function transferEventViolations(events: readonly Envelope[]): string[] {
  const bySaga = new Map<string, Map<string, Set<string>>>();
  for (const e of events) {
    const types = bySaga.get(e.sagaId!) ?? new Map<string, Set<string>>();
    bySaga.set(e.sagaId!, types);
    types.set(e.type, (types.get(e.type) ?? new Set()).add(e.id));
  }
  const v: string[] = [];
  for (const [id, types] of bySaga) {
    for (const [type, ids] of types) if (ids.size > 1) v.push(`transfer ${id}: ${type} emitted ${ids.size} times`);
    const outcomes = (types.has('TransferCompleted') ? 1 : 0) + (types.has('TransferFailed') ? 1 : 0);
    if (outcomes !== 1) v.push(`transfer ${id}: ${outcomes} of TransferCompleted / TransferFailed in EVENTS`);
    if (types.has('TransferFailed')) {
      if (types.has('FundsFrozen') && !types.has('FreezeReleased')) v.push(`transfer ${id}: failed, and its freeze was never released`);
      if (types.has('CreditPrepared') && !types.has('CreditDropped')) v.push(`transfer ${id}: failed, and its pending credit was never dropped`);
    }
    if (types.has('TransferCompleted') && !(types.has('FreezeConfirmed') && types.has('CreditConfirmed'))) v.push(`transfer ${id}: completed before both banks confirmed`);
  }
  return v;
}
