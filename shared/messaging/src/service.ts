import { type EventType, eventFilter, commandSubject, latest, type ServiceName } from '@jetsaga/events';
import type { NatsConnection } from 'nats';
import { type ServiceConfig, serviceConfigFromEnv } from './config.js';
import { BatchWriter } from './batch-writer.js';
import { connectNats } from './connect.js';
import { ConsumerLoop } from './consumer-loop.js';
import { openServiceDb, type ServiceDb } from './db.js';
import { KitError } from './errors.js';
import { handleMessage } from './handle-message.js';
import { startHttpEndpoint } from './http.js';
import { KitMetrics } from './metrics.js';
import { countUnsentOutbox, oldestUnsentAgeMs } from './outbox.js';
import { createLogger, type Logger } from './logger.js';
import { ensureConsumer, ensureStreams, STREAMS } from './provision.js';
import { pruneHousekeeping } from './prune.js';
import type { Subscriptions, TimerReaction } from './reaction.js';
import { OutboxRelay } from './relay.js';
import { retryUntil } from './retry-until.js';
import { TimerLoop } from './timer-loop.js';
import { initTracing } from './tracing.js';

/**
 * The handle reactions get for a service's schema: the service's drizzle db, used while the
 * kit holds a transaction open on its one connection (reactions are synchronous).
 */
export type ServiceTx<S extends Record<string, unknown>> = ServiceDb<S>;

export interface ServiceDefinition<S extends Record<string, unknown>> {
  name: ServiceName;
  schema: S;
  migrationsFolder: string;
  subscriptions: Subscriptions<ServiceTx<S>>;
  /** Timer reactions by timer kind. */
  timers?: Record<string, TimerReaction<ServiceTx<S>>>;
  /** Background work of the service's own (e.g. delivering notifications), woken after each commit. */
  workers?: (env: WorkerEnv) => Worker[];
}

export interface WorkerEnv {
  db: ServiceDb;
  log: Logger;
  config: ServiceConfig;
}

export interface Worker {
  start(): void;
  /** Something was committed: look for work now rather than at the next poll. */
  wake(): void;
  /** Finish the work in hand and stop. */
  stop(): Promise<void>;
}

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

export interface Subscription {
  type: string;
  stream: string;
  durable: string;
  filterSubject: string;
}

/** One durable consumer per handled type (nats-server 2.9 has no multi-filter consumers). */
export function subscriptionsOf(service: string, types: string[]): Subscription[] {
  return types.map((type) => {
    const def = latest(type);
    if (!def) throw new KitError('config', `${service} subscribes to unknown message type "${type}"`);
    if (def.kind === 'command' && def.owner !== service) {
      throw new KitError('config', `${service} cannot handle ${type}: that command is addressed to ${def.owner}`);
    }
    const isCommand = def.kind === 'command';
    return {
      type,
      stream: isCommand ? STREAMS.commands : STREAMS.events,
      durable: `${service}-${type}`,
      filterSubject: isCommand ? commandSubject(service, type) : eventFilter(def.owner, type as EventType),
    };
  });
}

/** Opens the db, connects, provisions, and starts the relay and one loop per subscription. */
export async function startService<S extends Record<string, unknown>>(
  def: ServiceDefinition<S>,
  config: ServiceConfig = serviceConfigFromEnv(def.name),
  log: Logger = createLogger(def.name),
): Promise<RunningService> {
  const stopTracing = await initTracing(def.name, log);
  const db = openServiceDb({ path: config.dbPath, schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: config.synchronous }) as unknown as ServiceDb;
  const nc = await connectNats(config.natsUrl, `jetsaga-${def.name}`, log);
  // The broker may still be starting (a restart): JetStream calls are retried for a while.
  const startDeadline = Date.now() + config.startTimeoutMs;
  const jsm = await retryUntil('jetstream', () => nc.jetstreamManager(), startDeadline, log);
  const js = nc.jetstream();
  await retryUntil('stream provisioning', () => ensureStreams(jsm), startDeadline, log);

  const metrics = new KitMetrics(def.name, { backlog: () => countUnsentOutbox(db), oldestUnsentMs: () => oldestUnsentAgeMs(db) });
  const relay = new OutboxRelay(db, nc, log, { metrics });
  relay.start();
  const timerLoop = new TimerLoop({ service: def.name, db, handlers: def.timers ?? {}, log, onOutboxWrite: () => relay.wake(), pollMs: config.timerPollMs, metrics });
  timerLoop.start();
  const prune = () => {
    const pruned = pruneHousekeeping(db, Date.now() - config.retentionMs);
    if (pruned.inbox + pruned.outbox + pruned.timers > 0) log.info({ pruned }, 'housekeeping pruned old rows');
  };
  prune();
  const pruneTimer = setInterval(prune, config.pruneIntervalMs);
  const workers = def.workers?.({ db, log, config }) ?? [];
  for (const w of workers) w.start();
  const batch = new BatchWriter(db, {
    metrics,
    onCommit: ({ emitted, armedDueAt }) => {
      // At once rather than next turn: its publishes leave in the same socket write as the acks.
      if (emitted) relay.wakeNow();
      if (armedDueAt !== undefined) timerLoop.wake(armedDueAt);
      for (const w of workers) w.wake();
    },
  });
  const loops: ConsumerLoop[] = [];
  for (const sub of subscriptionsOf(def.name, Object.keys(def.subscriptions))) {
    const spec = {
      stream: sub.stream,
      durable: sub.durable,
      filterSubject: sub.filterSubject,
      ackWaitMs: config.ackWaitMs,
      // Unlimited on the server: were the server to give up, the message would be dropped
      // silently. The consumer loop dead-letters it instead (see handleMessage).
      maxDeliver: -1,
      maxAckPending: Math.max(1000, config.maxMessages * 4),
    };
    await retryUntil(`consumer ${sub.durable}`, () => ensureConsumer(jsm, spec), startDeadline, log);
    const reaction = def.subscriptions[sub.type as keyof Subscriptions<unknown>]!;
    const handle = (msg: Parameters<typeof handleMessage>[0]) =>
      handleMessage(msg, {
        service: def.name,
        consumer: sub.durable,
        type: sub.type,
        db,
        reaction,
        js,
        log,
        retry: config.retry,
        maxBytes: config.maxMessageBytes,
        faults: config.faults,
        metrics,
        batch,
      });
    const loop = new ConsumerLoop(js, { stream: sub.stream, durable: sub.durable, maxMessages: config.maxMessages, concurrency: config.maxMessages }, handle, log);
    await retryUntil(`consuming ${sub.durable}`, () => loop.start(), startDeadline, log);
    loops.push(loop);
  }
  const http =
    config.metricsPort === undefined
      ? null
      : await startHttpEndpoint({
          port: config.metricsPort,
          registry: metrics.registry,
          notReady: () => [
            ...(nc.isClosed() || nc.isDraining() ? ['nats connection closed'] : []),
            ...(db.$client.open ? [] : ['db closed']),
            ...(loops.length === Object.keys(def.subscriptions).length ? [] : ['consumers not bound']),
          ],
        });
  log.info({ consumers: loops.length, db: config.dbPath, nats: config.natsUrl, metricsPort: config.metricsPort }, 'service ready');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
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
      db.$client.close();
      http?.close();
      await stopTracing().catch((err: unknown) => log.warn({ err }, 'tracing shutdown failed'));
      log.info('service stopped');
    })());
  return { nc, metrics, db, relay, timerLoop, loops, batch, stop };
}

/**
 * Entry point for a service process: config from env, start, stop cleanly on SIGINT/SIGTERM,
 * and tell a parent process (the stack runner) over IPC when ready.
 */
export async function runServiceMain<S extends Record<string, unknown>>(def: ServiceDefinition<S>): Promise<void> {
  const log = createLogger(def.name);
  let running: RunningService;
  let config: ServiceConfig;
  try {
    config = serviceConfigFromEnv(def.name);
    running = await startService(def, config, log);
  } catch (err) {
    log.fatal({ err }, 'service failed to start');
    process.exit(1);
  }
  process.send?.({ type: 'ready', service: def.name });
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    // Whatever hangs (a broker that never comes back), the process does not outlive this.
    setTimeout(() => {
      log.error({ signal }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Started by a runner (stack, tests) that went away: stop rather than linger.
  if (process.connected) process.once('disconnect', () => onSignal('SIGTERM'));
}
