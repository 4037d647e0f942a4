import { commandPublication } from '@jetsaga/messaging/ops';
import type { TestStack } from '../support/harness.js';
import { closedLoopOf, type LoadResult } from './system.js';

const ACCOUNTS = 50;

/** Accounts at banks a and b with money for any number of transfers. */
export async function seedTransfers(t: TestStack): Promise<void> {
  for (const bank of ['a', 'b']) {
    for (let i = 0; i < ACCOUNTS; i++) await t.send('Deposit', { accountId: `acc-${i}`, amount: 1_000_000_000 }, { to: `bank-${bank}` });
  }
  await t.waitForQuiescence();
}

/** The n-th transfer: between accounts spread over both banks, two in three across banks. */
function transferFor(n: number, transferId: string) {
  const from = { bank: n % 3 === 2 ? 'b' : 'a', accountId: `acc-${n % ACCOUNTS}` };
  const to = { bank: n % 3 === 0 ? 'a' : 'b', accountId: `acc-${(n * 7 + 1) % ACCOUNTS}` };
  if (to.bank === from.bank && to.accountId === from.accountId) to.accountId = `acc-${(n + 1) % ACCOUNTS}`;
  return { transferId, from, to, amount: 1 + (n % 100) };
}

/**
 * Closed loop of transfers: `concurrency` clients, each requesting the next transfer as soon
 * as its last one ends (TransferCompleted: both banks confirmed). Sagas per second are
 * transfers per second.
 */
export function transferClosedLoop(t: TestStack, o: { label: string; durationMs: number; prefix: string; concurrency: number; onProgress?: (done: number) => void }): Promise<LoadResult> {
  return closedLoopOf(t, o, {
    publication: (n, transferId) => commandPublication('RequestTransfer', transferFor(n, transferId), { producer: 'bench' }).publication,
    success: 'evt.transfer.TransferCompleted.>',
    failure: 'evt.transfer.TransferFailed.>',
  });
}
