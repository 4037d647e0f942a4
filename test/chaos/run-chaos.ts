import type { CommandType, DataOf, Envelope, OrderItem } from '@jetsaga/events';
import { newId } from '@jetsaga/events';
import { decodeMessage } from '@jetsaga/events';
import { listDeadLetters, readStream, sendCommand, STREAMS } from '@jetsaga/messaging/ops';
import { orderSagaServices, waitFor } from '@jetsaga/stack';
import { terminalOrderStates, TestStack, transferServices } from '../support/harness.js';
import { findViolations } from '../support/invariants.js';
import { type ChaosAction, chaosSchedule, type NodeTarget, seededRandom } from './schedule.js';
import { type LeaderChanges, watchLeaders } from './leaders.js';
import { type ProtocolCoverage, sagaEventViolations } from './saga-events.js';
import { type Mix, seedBanks, transferEventViolations, transferFor, transferStatuses } from './transfer-mix.js';

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
  /**
   * A JetStream cluster of this many nodes (every stream and consumer replicated on 3 of them)
   * instead of one nats-server: nodes are SIGKILLed and restarted on their stores (the nodes
   * leading EVENTS, COMMANDS and the meta group among them), one at a time.
   */
  cluster?: number;
  /** Each service that can split runs as this many partitions (each killed on its own). */
  partitions?: number;
  /** Inventory keeps a cancelled order's hold this long for its customer (JETSAGA_STOCK_RELEASE_DELAY_MS): re-orders take from it. */
  releaseDelayMs?: number;
  /**
   * Share of the orders that are CONFIRMED while the load runs that get a RequestRefund (a fifth
   * of those a second one, refused); half as many CANCELLED orders get one too (refused).
   */
  refundRatio?: number;
  /** Which sagas `orders` counts, by weight (default: orders only): with transfers, banks a and b and the transfer service run too. */
  mix?: Mix;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  ordersPlaced: number;
  /** Transfers requested (`--mix` with transfers), among the sagas. */
  transfersPlaced: number;
  duplicatesSent: number;
  outcomes: Record<string, number>;
  actions: { atMs: number; action: ChaosAction }[];
  /** Deliveries beyond the first handling of each message: redeliveries after kills, pauses and lost acks, and re-sent copies. */
  extraDeliveries: number;
  duplicatesDroppedByBroker: number;
  duplicatesDroppedByInboxes: number;
  /** Unacked deliveries the broker still lists for messages already gone (see TestStack.phantomAcks). */
  brokerPhantomAcks: Record<string, number>;
  /** Nodes in the cluster (1: a single nats-server). */
  clusterSize: number;
  /** Each cluster node SIGKILLed: what the schedule aimed at, the node that was, and what it led then (streams, `meta`). */
  nodeKills: NodeKill[];
  /** Leaders that changed during the run, by group (see leaders.ts). */
  leaderChanges: LeaderChanges;
  releaseDelayMs: number;
  /** RequestRefund commands sent: for confirmed orders, a second one for some of them, for cancelled ones. */
  refundsRequested: { confirmed: number; twice: number; cancelled: number };
  /** How often each protocol path happened, read from EVENTS. */
  coverage: ProtocolCoverage;
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
  const env: NodeJS.ProcessEnv = { JETSAGA_ACK_WAIT_MS: String(o.ackWaitMs), JETSAGA_ORDER_DEADLINE_MS: String(o.deadlineMs), LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' };
  if (o.releaseDelayMs !== undefined) env.JETSAGA_STOCK_RELEASE_DELAY_MS = String(o.releaseDelayMs);
  const transfersToo = (o.mix?.transfers ?? 0) > 0;
  if (transfersToo) env.JETSAGA_TRANSFER_DEADLINE_MS = String(o.deadlineMs);
  const t = await TestStack.start({ cluster: o.cluster, partitions: o.partitions, env, services: transfersToo ? [...orderSagaServices, ...transferServices] : undefined });
  const services = [...t.stack.services.keys()];
  const cluster = t.natsCluster;
  try {
    const random = seededRandom(o.seed ^ 0x5eed);
    const skus = seed(t, o.orders);
    await seedAll(t, skus);
    if (transfersToo) {
      await seedBanks(t);
      await t.waitForQuiescence();
    }
    // Its own stream of draws: the orders (and the default run) are the same with transfers or without.
    const mixRandom = transfersToo ? seededRandom(o.seed ^ 0x7a5f) : null;
    const transferShare = transfersToo ? o.mix!.transfers / (o.mix!.orders + o.mix!.transfers) : 0;
    const transfers: string[] = [];
    const schedule = chaosSchedule({
      seed: o.seed,
      durationMs: o.durationMs,
      everyMs: o.killEveryMs,
      services,
      ackWaitMs: o.ackWaitMs,
      brokerChance: t.natsServer ? 0.15 : 0,
      nodeChance: cluster ? 0.25 : 0,
      clusterSize: cluster?.nodes.length ?? 0,
    });
    const leaders = watchLeaders(t.nc, cluster);
    const placed: string[] = [];
    let duplicatesSent = 0;
    let brokerDuplicates = 0;
    const t0 = Date.now();
    const send = async <T extends CommandType>(type: T, data: DataOf<T>, id = newId()) => {
      // The broker may be down: retry with the same envelope id until it is stored.
      const ack = await waitFor(() => sendCommand(t.js, type, data, { id }).then((r) => r.ack), { timeoutMs: 60_000, intervalMs: 100, what: `${type} to be stored` });
      if (ack.duplicate) brokerDuplicates++;
    };
    let loadDone = false;
    const refunds = { confirmed: 0, twice: 0, cancelled: 0 };
    const refunder = refundSome(t, o, send, refunds, () => loadDone);
    const load = Promise.all(
      Array.from({ length: o.clients }, async (_, client) => {
        const mine = Math.ceil(o.orders / o.clients);
        for (let i = 0; i < mine && client * mine + i < o.orders; i++) {
          const n = client * mine + i;
          const due = t0 + (n * o.durationMs) / o.orders;
          if (due > Date.now()) await sleep(due - Date.now());
          if (mixRandom && mixRandom() < transferShare) {
            const transferId = `chaos-${o.seed}-t${n}`;
            transfers.push(transferId);
            await send('RequestTransfer', transferFor(mixRandom, transferId));
            continue;
          }
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
    // Cluster nodes go down one at a time: the cluster tolerates one failure, not two.
    const busy = new Set<string>();
    const running: Promise<void>[] = [];
    const nodeKills: ChaosReport['nodeKills'] = [];
    const chaos = (async () => {
      for (const step of schedule) {
        if (t0 + step.at > Date.now()) await sleep(t0 + step.at - Date.now());
        const target = step.action.kind === 'broker' ? 'nats-server' : step.action.kind === 'node' ? 'cluster node' : step.action.service;
        const at = `+${((Date.now() - t0) / 1000).toFixed(1)}s`;
        if (busy.has(target)) {
          log(`${at} skipped (${target} is still down or paused): ${describe(step.action)}`);
          continue;
        }
        actions.push({ atMs: Date.now() - t0, action: step.action });
        log(`${at} ${describe(step.action)}`);
        busy.add(target);
        const done = step.action.kind === 'node' ? killNode(t, step.action, log).then((k) => void nodeKills.push(k)) : perform(t, step.action);
        running.push(done.finally(() => busy.delete(target)));
      }
      await Promise.all(running);
    })();
    await Promise.all([load.finally(() => (loadDone = true)), chaos, refunder]);
    log(`load done: ${placed.length} orders (${duplicatesSent} sent twice, ${refunds.confirmed} refunds asked); settling...`);

    await waitFor(() => t.count('order', `SELECT count(*) AS n FROM orders WHERE status IN ${terminalOrderStates}`) >= placed.length || undefined, {
      timeoutMs: o.settleMs,
      what: 'every saga to end',
    }).catch(() => undefined);
    if (transfersToo) {
      await waitFor(() => t.count('transfer', "SELECT count(*) AS n FROM transfers WHERE status IN ('COMPLETED', 'FAILED')") >= transfers.length || undefined, {
        timeoutMs: o.settleMs,
        what: 'every transfer to end',
      }).catch(() => undefined);
    }
    const stuck: string[] = [];
    await t.waitForQuiescence({ timeoutMs: o.settleMs }).catch((err: Error) => {
      stuck.push(`not quiescent after ${o.settleMs} ms: ${err.message}`);
      log(stuck[0]!);
    });
    // Kept holds wait for their release timers (`--release-delay`), not due yet when the sagas
    // went quiet: the checks below must not read a db while its timers fire. Once they have,
    // quiet again.
    for (let due = lastPendingTimer(t, services); !stuck.length && due !== undefined; due = lastPendingTimer(t, services)) {
      if (due > started + o.settleMs * 2) break;
      await sleep(Math.max(0, due - Date.now()) + 100);
      await t.waitForQuiescence({ timeoutMs: o.settleMs }).catch((err: Error) => {
        stuck.push(`not quiescent after the last timers fired: ${err.message}`);
        log(stuck[0]!);
      });
    }

    const statuses = new Map(t.rows<{ order_id: string; status: string }>('order', 'SELECT order_id, status FROM orders').map((r) => [r.order_id, r.status]));
    const outcomes: Record<string, number> = {};
    for (const s of statuses.values()) outcomes[s] = (outcomes[s] ?? 0) + 1;
    const transferStatus = transfersToo ? transferStatuses(t) : new Map<string, string>();
    for (const s of transferStatus.values()) outcomes[`transfer ${s}`] = (outcomes[`transfer ${s}`] ?? 0) + 1;
    let deliveries = 0;
    for (const stream of [STREAMS.events, STREAMS.commands]) {
      for await (const c of t.jsm.consumers.list(stream)) if (c.config.durable_name) deliveries += c.delivered.consumer_seq;
    }
    const stat = (column: string) => services.reduce((sum, s) => sum + t.count(s, `SELECT coalesce(sum(${column}), 0) AS n FROM consumer_stats`), 0);
    const inboxDuplicates = stat('duplicates');
    const letters = await listDeadLetters(t.nc);
    const leaderChanges = await leaders.stop();
    const sagaCheck = await streamViolations(t, new Set(placed));
    const transferCheck = transfersToo ? await transferStreamViolations(t, new Set(transfers)) : [];
    return {
      seed: o.seed,
      ordersPlaced: placed.length,
      transfersPlaced: transfers.length,
      duplicatesSent,
      outcomes,
      actions,
      extraDeliveries: deliveries - stat('handled'),
      duplicatesDroppedByBroker: brokerDuplicates,
      duplicatesDroppedByInboxes: inboxDuplicates,
      brokerPhantomAcks: Object.fromEntries(t.phantomAcks),
      clusterSize: cluster?.nodes.length ?? 1,
      nodeKills,
      leaderChanges,
      releaseDelayMs: o.releaseDelayMs ?? 0,
      refundsRequested: refunds,
      coverage: sagaCheck.coverage,
      deadLetters: letters.map((l) => ({ reason: l.reason, consumer: l.consumer, subject: l.originalSubject })),
      notTerminal: [
        ...placed.filter((id) => statuses.has(id) && !['CONFIRMED', 'CANCELLED', 'REFUNDED'].includes(statuses.get(id)!)),
        ...transfers.filter((id) => transferStatus.has(id) && !['COMPLETED', 'FAILED'].includes(transferStatus.get(id)!)),
      ],
      missing: [...placed.filter((id) => !statuses.has(id)), ...transfers.filter((id) => !transferStatus.has(id))],
      violations: [...stuck, ...findViolations(t), ...sagaCheck.violations, ...transferCheck],
      elapsedMs: Date.now() - started,
    };
  } finally {
    await t.stop();
  }
}

/**
 * The EVENTS stream's side of the invariants, per saga (see saga-events.ts): what may be
 * emitted once was (copies of one envelope, re-published after a crash, count once), what
 * may repeat did only for distinct causes, one terminal event, and every compensation that a
 * saga's events call for is there.
 */
async function streamViolations(t: TestStack, placed: Set<string>): Promise<{ violations: string[]; coverage: ProtocolCoverage }> {
  const events: Envelope[] = [];
  await readStream(t.nc, STREAMS.events, 'evt.>', (m) => {
    const d = decodeMessage(m.data);
    if (d.ok && d.envelope.sagaId && placed.has(d.envelope.sagaId)) events.push(d.envelope);
    return undefined;
  });
  return sagaEventViolations(events);
}

/** The EVENTS stream's side of the transfers (transfer-mix.ts). */
async function transferStreamViolations(t: TestStack, placed: Set<string>): Promise<string[]> {
  const events: Envelope[] = [];
  await readStream(t.nc, STREAMS.events, 'evt.>', (m) => {
    const d = decodeMessage(m.data);
    if (d.ok && d.envelope.sagaId && placed.has(d.envelope.sagaId)) events.push(d.envelope);
    return undefined;
  });
  return transferEventViolations(events);
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
  if (action.kind === 'node') throw new Error('a cluster node is killed by killNode');
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

/** When the last timer still armed in any service is due (a kept hold's release), if one is. */
function lastPendingTimer(t: TestStack, services: readonly string[]): number | undefined {
  const due = services.map((s) => t.count(s, 'SELECT coalesce(max(due_at), 0) AS n FROM timers WHERE fired_at IS NULL'));
  const last = Math.max(0, ...due);
  return last > 0 ? last : undefined;
}

/**
 * SIGKILLs the cluster node the action aims at (found when it happens: stream info's
 * `cluster.leader`, the meta leader from jsz), and starts it again on its store after
 * `downMs`; done once it serves JetStream again.
 */
async function killNode(t: TestStack, action: Extract<ChaosAction, { kind: 'node' }>, log: (line: string) => void): Promise<NodeKill> {
  const cluster = t.natsCluster!;
  const up = cluster.names.filter((n) => cluster.isUp(n));
  const leaders = new Map<string, string | undefined>([['meta', await cluster.metaLeader()]]);
  for (const stream of Object.values(STREAMS)) leaders.set(stream, (await t.jsm.streams.info(stream).catch(() => undefined))?.cluster?.leader);
  let node = action.target.startsWith('leader:') ? leaders.get(action.target.slice('leader:'.length)) : `n${action.target.slice('node:'.length)}`;
  // No leader right now (an election after the previous kill): any node that is up.
  if (!node || !up.includes(node)) node = up[0]!;
  const led = [...leaders].filter(([, leader]) => leader === node).map(([group]) => group);
  log(`    node kill aimed at ${action.target}: ${node}, leading ${led.join(', ') || 'nothing of ours'}`);
  await cluster.node(node).kill('SIGKILL');
  await sleep(action.downMs);
  await cluster.node(node).start();
  return { target: action.target, node, led };
}

export interface NodeKill {
  target: NodeTarget;
  node: string;
  /** What the node led when it was killed: `meta`, EVENTS, COMMANDS, DLQ. */
  led: string[];
}

/**
 * While the load runs, every half second: each order newly CONFIRMED gets a RequestRefund with
 * a chance of `refundRatio` (decided by the seed and its id), a fifth of those a second one
 * (refused: already refunded); each order newly CANCELLED one with half that chance (refused:
 * not confirmed).
 */
async function refundSome(
  t: TestStack,
  o: ChaosOptions,
  send: <T extends CommandType>(type: T, data: DataOf<T>) => Promise<void>,
  counts: ChaosReport['refundsRequested'],
  loadDone: () => boolean,
): Promise<void> {
  const ratio = o.refundRatio ?? 0;
  if (ratio <= 0) return;
  const seen = new Set<string>();
  while (!loadDone()) {
    await sleep(500);
    const rows = t.rows<{ order_id: string; status: string }>('order', "SELECT order_id, status FROM orders WHERE status IN ('CONFIRMED', 'CANCELLED')");
    for (const { order_id: orderId, status } of rows) {
      if (seen.has(orderId)) continue;
      seen.add(orderId);
      const roll = unitHash(`${o.seed}:${orderId}`);
      if (status === 'CONFIRMED' && roll < ratio) {
        counts.confirmed++;
        await send('RequestRefund', { orderId, reason: 'chaos: changed my mind' });
        if (roll < ratio / 5) {
          counts.twice++;
          await send('RequestRefund', { orderId, reason: 'chaos: asked again' });
        }
      } else if (status === 'CANCELLED' && roll < ratio / 2) {
        counts.cancelled++;
        await send('RequestRefund', { orderId, reason: 'chaos: refund a cancelled order' });
      }
    }
  }
}

/** A number in [0, 1) from a string (FNV-1a): the same order gets the same draw for a seed. */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 4294967296;
}

export function describe(action: ChaosAction): string {
  if (action.kind === 'node') return `SIGKILL cluster node ${action.target}, restart after ${action.downMs} ms (same store)`;
  if (action.kind === 'broker') return `SIGKILL nats-server, restart after ${action.downMs} ms (same store)`;
  if (action.kind === 'kill') return `SIGKILL ${action.service}, restart after ${action.downMs} ms`;
  return `SIGSTOP ${action.service} for ${action.pausedMs} ms (longer than the ack wait), then SIGCONT`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
