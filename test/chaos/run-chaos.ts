import type { CommandType, DataOf, OrderItem } from '@jetsaga/events';
import { newId } from '@jetsaga/events';
import { decodeMessage } from '@jetsaga/events';
import { listDeadLetters, readStream, sendCommand, STREAMS } from '@jetsaga/messaging/ops';
import { allServices, waitFor } from '@jetsaga/stack';
import { TestStack } from '../support/harness.js';
import { findViolations } from '../support/invariants.js';
import { type ChaosAction, chaosSchedule, seededRandom } from './schedule.js';

export interface ChaosOptions {
  orders: number;
  durationMs: number;
  killEveryMs: number;
  seed: number;
  clients: number;
  /** Share of orders sent twice (a second PlaceOrder for the same orderId). */
  duplicateRatio: number;
  ackWaitMs: number;
  deadlineMs: number;
  /** How long to wait for quiescence after the load. */
  settleMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  ordersPlaced: number;
  duplicatesSent: number;
  outcomes: Record<string, number>;
  actions: { atMs: number; action: ChaosAction }[];
  /** Deliveries beyond the first handling of each message: redeliveries after kills, pauses and lost acks, and re-sent copies. */
  extraDeliveries: number;
  duplicatesDroppedByBroker: number;
  duplicatesDroppedByInboxes: number;
  /** Unacked deliveries the broker still lists for messages already gone (see TestStack.phantomAcks). */
  brokerPhantomAcks: Record<string, number>;
  deadLetters: { reason: string; consumer: string; subject: string }[];
  notTerminal: string[];
  missing: string[];
  violations: string[];
  elapsedMs: number;
}

/**
 * The chaos run: every service and nats-server as processes, orders at a steady rate from
 * several clients (some sent twice), and meanwhile SIGKILLs, broker restarts and SIGSTOPs
 * longer than the ack wait, on a schedule drawn from the seed. Then quiescence and the
 * invariants. Used by `npm run chaos` and, short, by the test suite.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  const t = await TestStack.start({
    env: { ACK_WAIT_MS: String(o.ackWaitMs), ORDER_DEADLINE_MS: String(o.deadlineMs), LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
  });
  try {
    const random = seededRandom(o.seed ^ 0x5eed);
    const skus = seed(t, o.orders);
    await seedAll(t, skus);
    const schedule = chaosSchedule({
      seed: o.seed,
      durationMs: o.durationMs,
      everyMs: o.killEveryMs,
      services: allServices,
      ackWaitMs: o.ackWaitMs,
      brokerChance: t.natsServer ? 0.15 : 0,
    });
    const placed: string[] = [];
    let duplicatesSent = 0;
    let brokerDuplicates = 0;
    const t0 = Date.now();
    const send = async <T extends CommandType>(type: T, data: DataOf<T>, id = newId()) => {
      // The broker may be down: retry with the same envelope id until it is stored.
      const ack = await waitFor(() => sendCommand(t.js, type, data, { id }).then((r) => r.ack), { timeoutMs: 60_000, intervalMs: 100, what: `${type} to be stored` });
      if (ack.duplicate) brokerDuplicates++;
    };
    const load = Promise.all(
      Array.from({ length: o.clients }, async (_, client) => {
        const mine = Math.ceil(o.orders / o.clients);
        for (let i = 0; i < mine && client * mine + i < o.orders; i++) {
          const n = client * mine + i;
          const due = t0 + (n * o.durationMs) / o.orders;
          if (due > Date.now()) await sleep(due - Date.now());
          const orderId = `chaos-${o.seed}-${n}`;
          const data = { orderId, customerId: customerFor(random), items: itemsFor(random, skus) };
          placed.push(orderId);
          await send('PlaceOrder', data);
          if (random() < o.duplicateRatio) {
            duplicatesSent++;
            await send('PlaceOrder', data);
          }
        }
      }),
    );
    const actions: ChaosReport['actions'] = [];
    // Actions run on schedule, overlapping: a kill every 2 s means one starts every 2 s, even
    // while an earlier one is still restarting (a service restarted while the broker is down
    // waits for it). Only a target still down or paused is skipped.
    const busy = new Set<string>();
    const running: Promise<void>[] = [];
    const chaos = (async () => {
      for (const step of schedule) {
        if (t0 + step.at > Date.now()) await sleep(t0 + step.at - Date.now());
        const target = step.action.kind === 'broker' ? 'nats-server' : step.action.service;
        const at = `+${((Date.now() - t0) / 1000).toFixed(1)}s`;
        if (busy.has(target)) {
          log(`${at} skipped (${target} is still down or paused): ${describe(step.action)}`);
          continue;
        }
        actions.push({ atMs: Date.now() - t0, action: step.action });
        log(`${at} ${describe(step.action)}`);
        busy.add(target);
        running.push(perform(t, step.action).finally(() => busy.delete(target)));
      }
      await Promise.all(running);
    })();
    await Promise.all([load, chaos]);
    log(`load done: ${placed.length} orders (${duplicatesSent} sent twice); settling...`);

    const terminal = `('CONFIRMED', 'CANCELLED', 'REFUNDED')`;
    await waitFor(() => t.count('order', `SELECT count(*) AS n FROM orders WHERE status IN ${terminal}`) >= placed.length || undefined, {
      timeoutMs: o.settleMs,
      what: 'every saga to end',
    }).catch(() => undefined);
    const stuck: string[] = [];
    await t.waitForQuiescence({ timeoutMs: o.settleMs }).catch((err: Error) => {
      stuck.push(`not quiescent after ${o.settleMs} ms: ${err.message}`);
      log(stuck[0]!);
    });

    const statuses = new Map(t.rows<{ order_id: string; status: string }>('order', 'SELECT order_id, status FROM orders').map((r) => [r.order_id, r.status]));
    const outcomes: Record<string, number> = {};
    for (const s of statuses.values()) outcomes[s] = (outcomes[s] ?? 0) + 1;
    let deliveries = 0;
    for (const stream of [STREAMS.events, STREAMS.commands]) {
      for await (const c of t.jsm.consumers.list(stream)) if (c.config.durable_name) deliveries += c.delivered.consumer_seq;
    }
    const stat = (column: string) => allServices.reduce((sum, s) => sum + t.count(s, `SELECT coalesce(sum(${column}), 0) AS n FROM consumer_stats`), 0);
    const inboxDuplicates = stat('duplicates');
    const letters = await listDeadLetters(t.nc);
    return {
      seed: o.seed,
      ordersPlaced: placed.length,
      duplicatesSent,
      outcomes,
      actions,
      extraDeliveries: deliveries - stat('handled'),
      duplicatesDroppedByBroker: brokerDuplicates,
      duplicatesDroppedByInboxes: inboxDuplicates,
      brokerPhantomAcks: Object.fromEntries(t.phantomAcks),
      deadLetters: letters.map((l) => ({ reason: l.reason, consumer: l.consumer, subject: l.originalSubject })),
      notTerminal: placed.filter((id) => statuses.has(id) && !['CONFIRMED', 'CANCELLED', 'REFUNDED'].includes(statuses.get(id)!)),
      missing: placed.filter((id) => !statuses.has(id)),
      violations: [...stuck, ...findViolations(t), ...(await streamViolations(t, new Set(placed)))],
      elapsedMs: Date.now() - started,
    };
  } finally {
    await t.stop();
  }
}

/**
 * The EVENTS stream's side of the invariants: per saga, every event type was emitted once
 * (copies of one envelope, re-published after a crash, count once), and exactly one of
 * OrderConfirmed / OrderCancelled.
 */
async function streamViolations(t: TestStack, placed: Set<string>): Promise<string[]> {
  const bySaga = new Map<string, Map<string, Set<string>>>();
  await readStream(t.nc, STREAMS.events, 'evt.>', (m) => {
    const d = decodeMessage(m.data);
    if (!d.ok || !d.envelope.sagaId || !placed.has(d.envelope.sagaId)) return undefined;
    const types = bySaga.get(d.envelope.sagaId) ?? new Map<string, Set<string>>();
    bySaga.set(d.envelope.sagaId, types);
    const ids = types.get(d.envelope.type) ?? new Set<string>();
    types.set(d.envelope.type, ids.add(d.envelope.id));
    return undefined;
  });
  const v: string[] = [];
  for (const [sagaId, types] of bySaga) {
    for (const [type, ids] of types) if (ids.size > 1) v.push(`order ${sagaId}: ${type} emitted ${ids.size} times`);
    const terminal = (types.has('OrderConfirmed') ? 1 : 0) + (types.has('OrderCancelled') ? 1 : 0);
    if (terminal !== 1) v.push(`order ${sagaId}: ${terminal} terminal events in EVENTS`);
  }
  return v;
}

/** Stock for about half the orders on one sku, a scarce sku, and poor customers: some fail each way. Each sku has its price. */
function seed(_t: TestStack, orders: number) {
  return [
    { sku: 'chaos-plenty', quantity: Math.max(10, Math.floor(orders * 0.9)), unitPrice: 1_000 },
    { sku: 'chaos-scarce', quantity: Math.max(2, Math.floor(orders * 0.05)), unitPrice: 250 },
  ];
}

async function seedAll(t: TestStack, skus: { sku: string; quantity: number; unitPrice: number }[]): Promise<void> {
  for (const { sku, quantity, unitPrice } of skus) {
    await t.send('SetStock', { sku, quantity });
    await t.send('SetPrice', { sku, unitPrice });
  }
  for (let i = 0; i < 20; i++) await t.send('CreditWallet', { customerId: `rich-${i}`, amount: 100_000_000 });
  for (let i = 0; i < 5; i++) await t.send('CreditWallet', { customerId: `poor-${i}`, amount: 100 });
  await t.waitForQuiescence();
}

function customerFor(random: () => number): string {
  return random() < 0.1 ? `poor-${Math.floor(random() * 5)}` : `rich-${Math.floor(random() * 20)}`;
}

/** One or two skus, each at its catalog price (the price inventory checks). */
function itemsFor(random: () => number, skus: { sku: string; unitPrice: number }[]): OrderItem[] {
  const items: OrderItem[] = [{ sku: skus[0]!.sku, quantity: 1, unitPrice: skus[0]!.unitPrice }];
  if (random() < 0.2) items.push({ sku: skus[1]!.sku, quantity: 1, unitPrice: skus[1]!.unitPrice });
  return items;
}

async function perform(t: TestStack, action: ChaosAction): Promise<void> {
  if (action.kind === 'broker') {
    await t.natsServer!.kill('SIGKILL');
    await sleep(action.downMs);
    await t.natsServer!.start();
    return;
  }
  const service = t.stack.service(action.service);
  if (action.kind === 'kill') {
    await service.kill();
    await sleep(action.downMs);
    // A service must come back on its own (it retries a broker that is still starting);
    // the runner only retries the process start itself, and lets a third failure end the run.
    for (let attempt = 1; ; attempt++) {
      try {
        return await service.start();
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }
  service.signal('SIGSTOP');
  await sleep(action.pausedMs);
  service.signal('SIGCONT');
}

export function describe(action: ChaosAction): string {
  if (action.kind === 'broker') return `SIGKILL nats-server, restart after ${action.downMs} ms (same store)`;
  if (action.kind === 'kill') return `SIGKILL ${action.service}, restart after ${action.downMs} ms`;
  return `SIGSTOP ${action.service} for ${action.pausedMs} ms (longer than the ack wait), then SIGCONT`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
