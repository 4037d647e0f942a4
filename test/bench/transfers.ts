import { commandPublication, JetStreamPublisher } from '@jetsaga/messaging/ops';
import type { TestStack } from '../support/harness.js';
import { type LoadResult, OutcomeWatch } from './system.js';
import { procStats } from './proc-stats.js';
import { percentiles } from './stats.js';

/** The transfer saga's services, next to the order saga's (`--transfers`). */
export const transferServices = ['transfer', 'bank-a', 'bank-b'] as const;

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
export async function transferClosedLoop(t: TestStack, o: { label: string; durationMs: number; prefix: string; concurrency: number; onProgress?: (done: number) => void }): Promise<LoadResult> {
  const watch = new OutcomeWatch(t, 'evt.transfer.TransferCompleted.*', 'evt.transfer.TransferFailed.*');
  const publisher = new JetStreamPublisher(t.nc);
  const pids = [...[...t.stack.services.values()].map((s) => ({ name: s.name, pid: s.pid! })), ...(t.natsServer?.pid ? [{ name: 'nats-server', pid: t.natsServer.pid }] : [])];
  const cpuBefore = new Map(pids.map((p) => [p.name, procStats(p.pid)?.cpuSeconds ?? 0]));
  const eventsBefore = (await t.jsm.streams.info('EVENTS')).state.last_seq;
  const latencies: number[] = [];
  let completed = 0;
  let n = 0;
  const started = performance.now();
  const until = started + o.durationMs;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < until) {
        const transferId = `${o.prefix}-${n}`;
        const data = transferFor(n++, transferId);
        const outcome = watch.expect(transferId);
        const sentAt = performance.now();
        const [sent] = await publisher.publishAll([commandPublication('RequestTransfer', data, { producer: 'bench' }).publication], 10_000);
        if (sent!.status === 'rejected') throw sent!.reason;
        if (await outcome) completed++;
        latencies.push(performance.now() - sentAt);
        if (latencies.length % 100 === 0) o.onProgress?.(latencies.length);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  watch.close();
  publisher.close();
  const events = (await t.jsm.streams.info('EVENTS')).state.last_seq - eventsBefore;
  return {
    label: o.label,
    sagas: latencies.length,
    confirmed: completed,
    seconds,
    sagasPerSecond: latencies.length / seconds,
    eventsPerSecond: events / seconds,
    latencyMs: percentiles(latencies),
    processes: pids.map((p) => {
      const s = procStats(p.pid);
      return { name: p.name, cpuPercent: s ? (100 * (s.cpuSeconds - (cpuBefore.get(p.name) ?? 0))) / seconds : NaN, peakRssMb: s?.peakRssMb ?? NaN };
    }),
  };
}
