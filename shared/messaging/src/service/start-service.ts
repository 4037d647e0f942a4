import type { NatsConnection } from 'nats';
import { handleDelivery } from '../consume/handle-delivery.js';
import { ConsumerLoop } from '../consume/consumer-loop.js';
import { connectNats } from '../nats/connect.js';
import { ensureConsumer, ensureStreams } from '../nats/provision.js';
import { retryUntil } from '../nats/retry-until.js';
import { startHttpEndpoint } from '../observe/http.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { KitMetrics } from '../observe/metrics.js';
import { initTracing } from '../observe/tracing.js';
import { countUnsentOutbox, oldestUnsentAgeMs } from '../outbound/outbox.js';
import { OutboxRelay } from '../outbound/relay.js';
import { openServiceDb, type ServiceDb } from '../sqlite/open-db.js';
import { pruneHousekeeping } from '../sqlite/prune.js';
import { BatchWriter } from '../step/commit-batch.js';
import type { Reactor } from '../step/run-step.js';
import { TimerLoop } from '../timers/timer-loop.js';
import { type ServiceConfig, serviceConfigFromEnv } from './config.js';
import type { AnyServiceDefinition } from './define.js';
import { subscriptionsOf } from './subscriptions.js';

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

/** Opens the db, connects, provisions, and starts the relay and one loop per subscription. */
export async function startService(
  def: AnyServiceDefinition,
  config: ServiceConfig = serviceConfigFromEnv(def.name),
  log: Logger = createLogger(def.name),
): Promise<RunningService> {
  const stopTracing = await initTracing(def.name, log);
  const settings: unknown = def.settings(process.env);
  const reactor: Reactor = { service: def.name, def, settings };
  const db = openServiceDb({ path: config.dbPath, schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: config.synchronous });
  const nc = await connectNats(config.nats, `jetsaga-${def.name}`, log, config.startTimeoutMs);
  // The broker may still be starting (a restart): JetStream calls are retried for a while.
  const startDeadline = Date.now() + config.startTimeoutMs;
  const jsm = await retryUntil('jetstream', () => nc.jetstreamManager(), startDeadline, log);
  const js = nc.jetstream();
  await retryUntil('stream provisioning', () => ensureStreams(jsm), startDeadline, log);

  const metrics = new KitMetrics(def.name, { backlog: () => countUnsentOutbox(db), oldestUnsentMs: () => oldestUnsentAgeMs(db) });
  const relay = new OutboxRelay(db, nc, log, { metrics });
  relay.start();
  const timerLoop = new TimerLoop({ db, reactor, log, onOutboxWrite: () => relay.wake(), pollMs: config.timerPollMs, metrics });
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
    onCommit: ({ emitted, armedDueAt }) => {
      // At once rather than next turn: its publishes leave in the same socket write as the acks.
      if (emitted) relay.wakeNow();
      if (armedDueAt !== undefined) timerLoop.wake(armedDueAt);
      for (const w of workers) w.wake();
    },
  });
  const loops: ConsumerLoop[] = [];
  for (const sub of subscriptionsOf(def.name, def.messages)) {
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
    };
    const loop = new ConsumerLoop(js, { stream: sub.stream, durable: sub.durable, maxMessages: config.maxMessages, concurrency: config.maxMessages }, (msg) => handleDelivery(msg, deps), log);
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
            ...(loops.length === def.messages.length ? [] : ['consumers not bound']),
          ],
        });
  log.info({ consumers: loops.length, db: config.dbPath, nats: config.nats.servers, metricsPort: config.metricsPort }, 'service ready');

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
