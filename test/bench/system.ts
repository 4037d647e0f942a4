import type { Subscription } from 'nats';
import { MAX_WALLET_BALANCE } from '@jetsaga/events';
import { commandPublication, JetStreamPublisher, type Publication } from '@jetsaga/messaging/ops';
import type { TestStack } from '../support/harness.js';
import { procStats } from './proc-stats.js';
import { percentiles } from './stats.js';

export type Flow = 'happy' | 'noStock' | 'noFunds';
export interface Mix {
  happy: number;
  noStock: number;
  noFunds: number;
  /**
   * Customers and skus the orders spread over (default 1: one rich customer, one sku, the
   * workload the peers run). Partitions split by customer and sku, so they need several.
   */
  keys?: number;
}

export interface LoadResult {
  label: string;
  sagas: number;
  confirmed: number;
  seconds: number;
  sagasPerSecond: number;
  eventsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  processes: { name: string; cpuPercent: number; peakRssMb: number }[];
}

/** The k-th of the workload's customers or skus (`bench-rich`, `bench-rich-1`, ...). */
const keyed = (name: string, k: number) => (k === 0 ? name : `${name}-${k}`);

export async function seedForBench(t: TestStack, keys = 1): Promise<void> {
  for (let k = 0; k < keys; k++) {
    await t.send('SetStock', { sku: keyed('bench-plenty', k), quantity: 1_000_000_000 });
    await t.send('SetPrice', { sku: keyed('bench-plenty', k), unitPrice: 100 });
    await t.send('CreditWallet', { customerId: keyed('bench-rich', k), amount: MAX_WALLET_BALANCE });
  }
  await t.send('SetStock', { sku: 'bench-none', quantity: 0 });
  await t.send('SetPrice', { sku: 'bench-none', unitPrice: 100 });
  await t.waitForQuiescence();
}

function orderFor(flow: Flow, orderId: string, n: number, keys: number) {
  const k = n % keys;
  const customerId = flow === 'noFunds' ? keyed('bench-poor', k) : keyed('bench-rich', k);
  const sku = flow === 'noStock' ? 'bench-none' : keyed('bench-plenty', k);
  return { orderId, customerId, items: [{ sku, quantity: 1, unitPrice: 100 }] };
}

function pickFlow(mix: Mix, n: number): Flow {
  const total = mix.happy + mix.noStock + mix.noFunds;
  const r = ((n * 7919) % 1000) / 1000; // spread evenly and deterministically
  if (r < mix.happy / total) return 'happy';
  return r < (mix.happy + mix.noStock) / total ? 'noStock' : 'noFunds';
}

/** Resolves when a saga's outcome is observed: true on `success` (e.g. OrderConfirmed), false on `failure`. */
export class OutcomeWatch {
  private readonly waiting = new Map<string, (succeeded: boolean) => void>();
  private readonly subs: Subscription[];

  constructor(t: TestStack, success = 'evt.order.OrderConfirmed.>', failure = 'evt.order.OrderCancelled.>') {
    this.subs = [success, failure].map((subject) => {
      const sub = t.nc.subscribe(subject);
      void (async () => {
        for await (const m of sub) {
          const sagaId = m.subject.split('.')[3]!; // evt.<producer>.<Type>.<sagaId>.<key>[.<partitions>]
          this.waiting.get(sagaId)?.(subject === success);
          this.waiting.delete(sagaId);
        }
      })();
      return sub;
    });
  }

  expect(sagaId: string): Promise<boolean> {
    return new Promise((resolve) => this.waiting.set(sagaId, resolve));
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}

interface RunOptions {
  label: string;
  durationMs: number;
  mix: Mix;
  prefix: string;
  onProgress?: (done: number) => void;
}

/** What one saga of the load is: its command, and the events that end it well or not. */
export interface SagaLoad {
  publication(n: number, sagaId: string): Publication;
  success: string;
  failure: string;
}

const orderLoad = (mix: Mix): SagaLoad => ({
  publication: (n, orderId) => commandPublication('PlaceOrder', orderFor(pickFlow(mix, n), orderId, n, mix.keys ?? 1), { producer: 'bench' }).publication,
  success: 'evt.order.OrderConfirmed.>',
  failure: 'evt.order.OrderCancelled.>',
});

/** `concurrency` clients, each starting the next saga as soon as its last ends. */
export function closedLoopOf(t: TestStack, o: Omit<RunOptions, 'mix'> & { concurrency: number }, load: SagaLoad): Promise<LoadResult> {
  return measure(t, o, load, async (place) => {
    const until = performance.now() + o.durationMs;
    let n = 0;
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (performance.now() < until) await place(n++);
      }),
    );
  });
}

/** Closed loop: `concurrency` clients, each placing the next order as soon as its last ends. */
export function closedLoop(t: TestStack, o: RunOptions & { concurrency: number }): Promise<LoadResult> {
  return closedLoopOf(t, o, orderLoad(o.mix));
}

/** Open loop: orders at a fixed rate whatever the latency (no coordinated omission). */
export function openLoop(t: TestStack, o: RunOptions & { rate: number }): Promise<LoadResult> {
  return measure(t, o, orderLoad(o.mix), async (place) => {
    const start = performance.now();
    const total = Math.floor((o.durationMs / 1000) * o.rate);
    const all: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = start + (n * 1000) / o.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      all.push(place(n, due));
    }
    await Promise.all(all);
  });
}

async function measure(
  t: TestStack,
  o: Omit<RunOptions, 'mix'>,
  load: SagaLoad,
  drive: (place: (n: number, intendedAt?: number) => Promise<void>) => Promise<void>,
): Promise<LoadResult> {
  const watch = new OutcomeWatch(t, load.success, load.failure);
  // The load generator's own publishes should cost it little: they share the machine.
  const publisher = new JetStreamPublisher(t.nc);
  const pids = [...[...t.stack.services.values()].map((s) => ({ name: s.name, pid: s.pid! })), ...(t.natsServer?.pid ? [{ name: 'nats-server', pid: t.natsServer.pid }] : [])];
  const cpuBefore = new Map(pids.map((p) => [p.name, procStats(p.pid)?.cpuSeconds ?? 0]));
  const eventsBefore = (await t.jsm.streams.info('EVENTS')).state.last_seq;
  const latencies: number[] = [];
  let confirmed = 0;
  const started = performance.now();
  await drive(async (n, intendedAt) => {
    const sagaId = `${o.prefix}-${n}`;
    const outcome = watch.expect(sagaId);
    const sentAt = intendedAt ?? performance.now();
    const [sent] = await publisher.publishAll([load.publication(n, sagaId)], 10_000);
    if (sent!.status === 'rejected') throw sent!.reason;
    if (await outcome) confirmed++;
    latencies.push(performance.now() - sentAt);
    if (latencies.length % 100 === 0) o.onProgress?.(latencies.length);
  });
  const seconds = (performance.now() - started) / 1000;
  watch.close();
  publisher.close();
  const events = (await t.jsm.streams.info('EVENTS')).state.last_seq - eventsBefore;
  return {
    label: o.label,
    sagas: latencies.length,
    confirmed,
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
