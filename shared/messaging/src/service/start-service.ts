import type { Server } from 'node:http';
import { dirname } from 'node:path';
import type { Envelope } from '@jetsaga/events';
import type { NatsConnection } from 'nats';
import { handleDelivery } from '../consume/handle-delivery.js';
import { ConsumerLoop, messagesPerPull } from '../consume/consumer-loop.js';
import { connectNats } from '../nats/connect.js';
import { describeAccess } from '../nats/connection-options.js';
import { ensureConsumer, ensureStreams, STREAMS, wantedStreams } from '../nats/provision.js';
import { retryUntil } from '../nats/retry-until.js';
import { brokerUsageReader } from '../nats/stream-usage.js';
import { KitError } from '../errors.js';
import { startHttpEndpoint } from '../observe/http.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { KitMetrics } from '../observe/metrics.js';
import { initTracing } from '../observe/tracing.js';
import { countUnsentOutbox, oldestUnsentAgeMs } from '../outbound/outbox.js';
import { OutboxRelay } from '../outbound/relay.js';
import { openServiceDb, type ServiceDb } from '../sqlite/open-db.js';
import { acquireWriterLock } from '../sqlite/writer-lock.js';
import { checkPartitionMark, otherLayout } from '../sqlite/partition-mark.js';
import { pruneHousekeeping } from '../sqlite/prune.js';
import { WalCheckpointer } from '../sqlite/wal-checkpointer.js';
import { WalSync } from '../sqlite/wal-sync.js';
import { BatchWriter } from '../step/commit-batch.js';
import type { Reactor } from '../step/run-step.js';
import { TimerLoop } from '../timers/timer-loop.js';
import { type ServiceConfig, serviceConfigFromEnv } from './config.js';
import type { AnyServiceDefinition } from './define.js';
import { startEndpoints } from './endpoints.js';
import { byOf, type PartitionOf, serviceSubscriptions, subscribedTypes } from './subscriptions.js';

export interface RunningService {
  nc: NatsConnection;
  metrics: KitMetrics;
  db: ServiceDb;
  relay: OutboxRelay;
  timerLoop: TimerLoop;
  loops: ConsumerLoop[];
  batch: BatchWriter;
  /** Graceful stop: stop pulling, finish the messages in hand, flush the outbox, close. */
  stop(): Promise<void>;
}

/**
 * Takes the db's writer lock, serves /healthz and /readyz (with JETSAGA_METRICS_PORT), opens the
 * db, connects, provisions, and starts the relay and one loop per subscription. `settings` are
 * the service's own, parsed (runServiceMain parses them with the kit's, in one place).
 */
export async function startService(
  def: AnyServiceDefinition,
  config: ServiceConfig = serviceConfigFromEnv(def.name, process.env, { defaults: def.settingDefaults }),
  log: Logger = createLogger(def.name, config.logLevel),
  settings: unknown = def.settings.parse(process.env),
): Promise<RunningService> {
  // The state of the service in the other layout (one process / partitions) beside this db: refuse rather than start empty.
  const misplaced = dirname(config.dbPath) === config.dataDir ? otherLayout(config.dataDir, def.name, config.partition !== undefined) : undefined;
  if (misplaced) throw new KitError('config', misplaced);
  // One writer per db: a second process refuses here, before it touches anything.
  const lock = acquireWriterLock(config.dbPath, def.name);
  const state: StartState = { expected: subscribedTypes(def, !!config.partition).length, bound: 0, natsConnected: false, phase: 'opening the db', stopping: false };
  let http: Server | null = null;
  let nc: NatsConnection | undefined;
  let db: ServiceDb | undefined;
  let metrics: KitMetrics | undefined;
  try {
    // Up before anything that may wait (migrations, a broker that is down): /healthz answers at once.
    http =
      config.metricsPort === undefined
        ? null
        : await startHttpEndpoint({ port: config.metricsPort, registry: () => metrics?.registry, notReady: () => notReadyReasons(state, nc, db) });
    return await startParts(def, config, log, settings, state, {
      db: (d) => (db = d),
      nc: (c) => (nc = c),
      metrics: (m) => (metrics = m),
      http: () => http,
      lock: () => lock.release(),
    });
  } catch (err) {
    http?.close();
    await nc?.close().catch(() => {});
    if (db?.$client.open) db.$client.close();
    lock.release();
    throw err;
  }
}

/** Where a starting service is, for /readyz. */
interface StartState {
  expected: number;
  bound: number;
  natsConnected: boolean;
  phase: string;
  stopping: boolean;
}

/** What keeps the service from being ready; empty when it is. */
function notReadyReasons(state: StartState, nc: NatsConnection | undefined, db: ServiceDb | undefined): string[] {
  const reasons: string[] = [];
  if (state.stopping) reasons.push('stopping');
  if (!nc) reasons.push('nats not connected yet');
  else if (nc.isClosed() || nc.isDraining()) reasons.push('nats connection closed');
  else if (!state.natsConnected) reasons.push('nats disconnected (reconnecting)');
  if (!db) reasons.push('db not open yet');
  else if (!db.$client.open) reasons.push('db closed');
  if (state.bound < state.expected) reasons.push(`consumers not bound (${state.bound} of ${state.expected}; ${state.phase})`);
  return reasons;
}

interface Handles {
  db(db: ServiceDb): void;
  nc(nc: NatsConnection): void;
  metrics(metrics: KitMetrics): void;
  http(): Server | null;
  lock(): void;
}

async function startParts(def: AnyServiceDefinition, config: ServiceConfig, log: Logger, settings: unknown, state: StartState, handles: Handles): Promise<RunningService> {
  const stopTracing = await initTracing(def.name, log);
  const reactor: Reactor = { service: def.name, def, settings, partition: config.partition };
  // FULL: commits at NORMAL, each batch acked and published once an fsync of the WAL (off the
  // event loop, shared by every commit made meanwhile) has put it on disk.
  const walSync = config.synchronous === 'FULL' ? new WalSync(`${config.dbPath}-wal`) : null;
  const durable = walSync
    ? () =>
        walSync.sync().catch((err: unknown) => {
          // After a failed fsync the kernel may call the failed pages clean: no later fsync can
          // be trusted to cover them. Stop at once, acking and publishing nothing more; a restart
          // recovers from what is on disk, and the broker redelivers what was not acked.
          log.fatal({ err, wal: `${config.dbPath}-wal` }, 'fsync of the WAL failed; exiting');
          process.exit(1);
        })
    : undefined;
  const db = openServiceDb({ path: config.dbPath, schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: walSync ? 'NORMAL' : config.synchronous });
  handles.db(db);
  if (config.partition) checkPartitionMark(db.$client, config.dbPath, config.partition);
  state.phase = 'connecting to NATS';
  let relay: OutboxRelay | undefined;
  const nc = await connectNats(config.nats, `jetsaga-${def.name}`, log, config.startTimeoutMs, (type) => {
    if (type === 'disconnect') {
      state.natsConnected = false;
      relay?.brokerLost();
    } else if (type === 'reconnect') state.natsConnected = true;
  });
  state.natsConnected = true;
  handles.nc(nc);
  // Its queries over NATS (status, step log, sagas, sides): answered from here on, while it starts too.
  const partitioned = partitionOfService(def, config);
  await startEndpoints({ def, nc, db, log, partitioned, notReady: () => notReadyReasons(state, nc, db) });
  state.phase = 'provisioning streams';
  // The broker may still be starting (a restart): JetStream calls are retried for a while.
  let startDeadline = Date.now() + config.startTimeoutMs;
  const jsm = await retryUntil('jetstream', () => nc.jetstreamManager(), startDeadline, log);
  const js = nc.jetstream();
  const perPull = pullSize(config, nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD);
  // Missing streams this identity may not create: wait for the admin (`jetsaga provision`).
  const provisionPending = (err: unknown) => err instanceof KitError && err.code === 'provision_pending';
  await retryUntil('stream provisioning', () => ensureStreams(jsm, wantedStreams(config.streams), log), startDeadline, log, { waitWhile: provisionPending });
  // A wait for the admin does not eat the time the consumers get.
  startDeadline = Math.max(startDeadline, Date.now() + 10_000);
  const eventsMaxAgeMs = config.streams.events.maxAgeMs;
  if (eventsMaxAgeMs > 0 && eventsMaxAgeMs < config.retentionMs) {
    log.warn({ eventsMaxAgeMs, retentionMs: config.retentionMs }, 'JETSAGA_EVENTS_MAX_AGE is shorter than JETSAGA_RETENTION_MS: a consumer that falls that far behind loses events (see the README)');
  }

  const subscriptions = serviceSubscriptions(def, partitioned);
  const broker = brokerUsageReader(jsm, { streams: Object.values(STREAMS), consumers: subscriptions }, log);
  const metrics = new KitMetrics(def.name, { backlog: () => countUnsentOutbox(db), oldestUnsentMs: () => oldestUnsentAgeMs(db) }, broker);
  handles.metrics(metrics);
  state.phase = 'binding consumers';
  relay = new OutboxRelay(db, nc, log, { metrics, durable });
  relay.start();
  const timerLoop = new TimerLoop({ db, reactor, log, onOutboxWrite: (rows) => relay.offer(rows), durable, pollMs: config.timerPollMs, metrics });
  timerLoop.start();
  const prune = () => {
    const pruned = pruneHousekeeping(db, Date.now() - config.retentionMs);
    if (pruned.inbox + pruned.outbox + pruned.timers > 0) log.info({ pruned }, 'housekeeping pruned old rows');
  };
  prune();
  const pruneTimer = setInterval(prune, config.pruneIntervalMs);
  const workers = def.workers?.({ db, log, config, settings }) ?? [];
  for (const w of workers) w.start();
  const batch = new BatchWriter(db, reactor, {
    metrics,
    sentRows: { take: () => relay.takeUnmarked(), giveBack: (seqs) => relay.giveBackUnmarked(seqs) },
    durable,
    onCommit: ({ emitted, armedDueAt }) => {
      // At once rather than next turn: its publishes leave in the same socket write as the acks.
      relay.offer(emitted);
      if (armedDueAt !== undefined) timerLoop.wake(armedDueAt);
      for (const w of workers) w.wake();
    },
  });
  const loops: ConsumerLoop[] = [];
  for (const sub of subscriptions) {
    const spec = {
      stream: sub.stream,
      durable: sub.durable,
      filterSubject: sub.filterSubject,
      ackWaitMs: config.ackWaitMs,
      // Unlimited on the server: were the server to give up, the message would be dropped
      // silently. The consumer loop dead-letters it instead (see handleDelivery).
      maxDeliver: -1,
      maxAckPending: Math.max(1000, config.maxMessages * 4),
    };
    await retryUntil(`consumer ${sub.durable}`, () => ensureConsumer(jsm, spec), startDeadline, log);
    const deps = {
      service: def.name,
      consumer: sub.durable,
      type: sub.type,
      db,
      js,
      log,
      retry: config.retry,
      maxBytes: config.maxMessageBytes,
      faults: config.faults,
      metrics,
      batch,
      partitions: config.partition?.count,
      takes: partitioned && def.partitionTakes && byOf(partitioned, sub.type) === 'all' ? (m: Envelope) => def.partitionTakes!(m, partitioned.partition) : undefined,
    };
    const loopOptions = { stream: sub.stream, durable: sub.durable, maxMessages: perPull, concurrency: perPull };
    const loop = new ConsumerLoop(js, loopOptions, (msg, more) => handleDelivery(msg, deps, more), log);
    await retryUntil(`consuming ${sub.durable}`, () => loop.start(), startDeadline, log);
    loops.push(loop);
    state.bound = loops.length;
  }
  // From here on the WAL's checkpoints run on a thread of their own, off the event loop.
  const checkpointer = new WalCheckpointer(db.$client, config.dbPath, { onError: (err) => log.warn({ err }, 'WAL checkpointer stopped; the connection checkpoints by itself') });
  state.phase = 'started';
  log.info({ consumers: loops.length, messagesPerPull: perPull, db: config.dbPath, nats: describeAccess(config.nats), metricsPort: config.metricsPort }, 'service ready');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      state.stopping = true;
      await Promise.all(loops.map((l) => l.stop()));
      timerLoop.stop();
      clearInterval(pruneTimer);
      await Promise.all(workers.map((w) => w.stop()));
      const flushed = await relay.flush(config.shutdownTimeoutMs);
      if (!flushed) log.warn('outbox not empty at shutdown; the relay resumes it on next start');
      // drain() waits for the broker: when it is down, give up after a while and close.
      const drained = await Promise.race([
        nc.drain().then(() => true, (err: unknown) => (log.warn({ err }, 'nats drain failed'), false)),
        new Promise<false>((r) => setTimeout(() => r(false), 3000).unref()),
      ]);
      if (!drained) await nc.close().catch(() => {});
      await checkpointer.close();
      db.$client.close();
      walSync?.close();
      handles.lock();
      handles.http()?.close();
      await stopTracing().catch((err: unknown) => log.warn({ err }, 'tracing shutdown failed'));
      log.info('service stopped');
    })());
  return { nc, metrics, db, relay, timerLoop, loops, batch, stop };
}

/** How the service splits, when this process runs one of its partitions; a service that cannot split refuses. */
export function partitionOfService(def: AnyServiceDefinition, config: ServiceConfig): PartitionOf | undefined {
  if (!config.partition) return undefined;
  if (!def.partitionBy) throw new KitError('config', `${def.name} runs as one process only: JETSAGA_PARTITION (${config.partition.index}/${config.partition.count}) is not for it (docs/partitions.md)`);
  return { partition: config.partition, by: def.partitionBy };
}

/** nats-server's default max_payload (1 MiB), when the server did not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Messages per pull (and in hand) of each consumer: JETSAGA_CONSUMER_MAX_MESSAGES, fewer when
 * JETSAGA_CONSUMER_MAX_BYTES could not hold that many messages of the server's max_payload.
 */
function pullSize(config: ServiceConfig, maxPayload: number): number {
  if (config.consumerMaxBytes > 0 && config.consumerMaxBytes < maxPayload) {
    throw new KitError('config', `JETSAGA_CONSUMER_MAX_BYTES (${config.consumerMaxBytes}) is below the server's max_payload (${maxPayload}): a pull could not hold one message`);
  }
  return messagesPerPull(config.maxMessages, config.consumerMaxBytes, maxPayload);
}
