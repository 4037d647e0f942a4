import { decodeMessage, type Envelope, type EventDraft, latest } from '@jetsaga/events';
import type { JetStreamClient, JsMsg } from 'nats';
import type { BatchWriter } from './batch-writer.js';
import type { ServiceDb } from './db.js';
import { deadLetter } from './dead-letter.js';
import { writeEmitted } from './emit.js';
import { type FaultPlan, injectFault } from './faults.js';
import { claimInbox, countOutcomes } from './inbox.js';
import type { Logger } from './logger.js';
import type { KitMetrics } from './metrics.js';
import type { Reaction } from './reaction.js';
import { retryDelayMs, type RetryPolicy, shouldRetry } from './retry-policy.js';
import { logStep } from './step-log.js';
import { armTimer, disarmTimer, type TimerRequest } from './timers.js';
import { startStepSpan } from './tracing.js';

export type Outcome = 'handled' | 'duplicate' | 'retrying' | 'dead_lettered';

/** What running one message through a reaction needs: no NATS. */
export interface ProcessDeps {
  service: string;
  consumer: string;
  db: ServiceDb;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  reaction: Reaction<any, any>;
  log: Logger;
  faults?: FaultPlan;
  metrics?: KitMetrics;
  /** Called after a commit that armed a timer (processEnvelope only; batches tell their writer). */
  onTimerArmed?(dueAt: number): void;
}

export interface HandlerDeps extends ProcessDeps {
  /** The message type this consumer handles: dead letters go to `dlq.<service>.<type>`. */
  type: string;
  js: JetStreamClient;
  retry: RetryPolicy;
  maxBytes: number;
  /** Commits this message with the others received in the same turn of the event loop. */
  batch: BatchWriter;
}

/**
 * One delivery, start to finish: validate -> (inbox + reaction + outbox + step log in one
 * SQLite transaction) -> ack. Invalid input is dead-lettered at once; a throwing reaction is
 * nak'ed with backoff and dead-lettered after `retry.maxDeliver` deliveries.
 */
export async function handleMessage(msg: JsMsg, deps: HandlerDeps): Promise<Outcome> {
  const started = process.hrtime.bigint();
  const decoded = decodeMessage(msg.data, { subject: msg.subject, maxBytes: deps.maxBytes });
  if (!decoded.ok) {
    return deadLetterAndTerm(msg, deps, { reason: decoded.reason, error: decoded.detail, sagaId: decoded.envelope?.sagaId ?? null, eventId: decoded.envelope?.id ?? null });
  }
  const message = decoded.envelope;
  const log = deps.log.child({ sagaId: message.sagaId, eventId: message.id, type: message.type });
  const deliveries = msg.info.redeliveryCount;
  if (deliveries > crashCeiling(deps.retry) && !alreadyHandled(deps, message.id)) {
    // Delivered this often without a handler failure to show for it: it keeps killing the
    // process (or timing out). Park it rather than crash forever.
    return deadLetterAndTerm(msg, deps, { reason: 'too_many_deliveries', error: `${deliveries} deliveries without an outcome`, sagaId: message.sagaId, eventId: message.id });
  }
  let emitted: string[] | 'duplicate';
  const span = startStepSpan(`${deps.consumer} ${message.type}`, msg.headers?.get('traceparent'), {
    'messaging.system': 'nats',
    'messaging.destination.name': msg.subject,
    'messaging.consumer.group.name': deps.consumer,
    'jetsaga.saga_id': message.sagaId ?? '',
    'jetsaga.event_id': message.id,
    'jetsaga.delivery': deliveries,
  });
  try {
    emitted = await deps.batch.submit({ ...deps, log }, message, { delivery: deliveries, traceparent: span.traceparent });
  } catch (err) {
    span.end(err);
    return retryOrDeadLetter(msg, message, deps, log, err);
  }
  msg.ack();
  span.end();
  const outcome: Outcome = emitted === 'duplicate' ? 'duplicate' : 'handled';
  deps.metrics?.messages.inc({ type: deps.type, outcome });
  if (emitted === 'duplicate') {
    log.debug({ consumer: deps.consumer }, 'duplicate dropped by inbox');
    return outcome;
  }
  deps.metrics?.handlerSeconds.observe({ type: deps.type }, Number(process.hrtime.bigint() - started) / 1e9);
  log.debug({ consumer: deps.consumer, emitted: emitted.length }, 'handled');
  return outcome;
}

/** Deliveries after which a message that never got to fail is parked: crash loops, not retries. */
export function crashCeiling(policy: RetryPolicy): number {
  return policy.maxDeliver + 20;
}

function alreadyHandled(deps: HandlerDeps, eventId: string): boolean {
  return !!deps.db.$client.prepare('SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?').get(deps.consumer, eventId);
}

/** What one message came to inside its transaction. */
export interface Processed {
  emitted: string[] | 'duplicate';
  drafts: EventDraft[];
  /** Due time of the earliest timer armed, if any. */
  armedDueAt?: number;
}

/**
 * One validated message, inside a transaction the caller holds open: inbox claim (or
 * 'duplicate'), the reaction, its outbox rows, timers and step log. The caller adds the
 * outcome to the consumer's counts (countOutcomes) in the same transaction.
 */
export function processInTransaction(deps: ProcessDeps, message: Envelope, opts: { delivery: number; traceparent: string }): Processed {
  if (deps.faults) injectFault(deps.faults, message.type, opts.delivery);
  const now = new Date();
  const at = now.getTime();
  const { traceparent } = opts;
  const { db } = deps;
  if (!claimInbox(db, deps.consumer, message.id, at)) return { emitted: 'duplicate', drafts: [] };
  const origin = { sagaId: message.sagaId, causationId: message.id, correlationId: message.correlationId ?? message.id, traceparent };
  let armedDueAt: number | undefined;
  const drafts: EventDraft[] = [];
  deps.reaction({
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    message: message as Envelope<any, any>,
    tx: db,
    now,
    log: deps.log,
    emit: (d: EventDraft) => drafts.push(d),
    schedule: (t: TimerRequest) => {
      if (armTimer(db, t, origin, at)) armedDueAt = Math.min(armedDueAt ?? Infinity, t.dueAt.getTime());
    },
    cancelTimer: (kind: string, key: string) => void disarmTimer(db, kind, key, at),
  });
  const ids = writeEmitted(db, drafts, { service: deps.service, sagaId: message.sagaId, cause: message, traceparent, now });
  logStep(db, { sagaId: message.sagaId, step: deps.consumer, operation: message.type, status: 'done', eventIn: message.id, eventsOut: ids }, at);
  return { emitted: ids, drafts, armedDueAt };
}

/**
 * One validated message in its own SQLite transaction (services batch them instead, see
 * BatchWriter). Returns the ids of the events emitted, or 'duplicate'.
 */
export function processEnvelope(deps: ProcessDeps, message: Envelope, opts: { delivery: number; traceparent: string }): string[] | 'duplicate' {
  const processed = deps.db.$client.transaction(() => {
    const p = processInTransaction(deps, message, opts);
    countOutcomes(deps.db, deps.consumer, p.emitted === 'duplicate' ? { handled: 0, duplicates: 1 } : { handled: 1, duplicates: 0 }, Date.now());
    return p;
  })();
  if (processed.armedDueAt !== undefined) deps.onTimerArmed?.(processed.armedDueAt);
  if (processed.emitted !== 'duplicate') countEmitted(deps.metrics, processed.drafts);
  return processed.emitted;
}

/** Emitted events by type, and those that report a failed step as saga failures. */
export function countEmitted(metrics: KitMetrics | undefined, drafts: EventDraft[]): void {
  if (!metrics) return;
  for (const d of drafts) {
    metrics.emitted.inc({ type: d.type });
    if (latest(d.type)?.failure) metrics.sagaFailed.inc({ step: d.type });
  }
}

async function retryOrDeadLetter(msg: JsMsg, message: Envelope, deps: HandlerDeps, log: Logger, err: unknown): Promise<Outcome> {
  const deliveries = msg.info.redeliveryCount;
  const error = (err as Error)?.message ?? String(err);
  if (shouldRetry(deps.retry, deliveries)) {
    const delay = retryDelayMs(deps.retry, deliveries);
    log.warn({ err, consumer: deps.consumer, deliveries, retryInMs: delay }, 'handler failed; will retry');
    recordFailure(deps, message, 'failed', `${error} (delivery ${deliveries}, retry in ${delay} ms)`);
    deps.metrics?.retries.inc({ type: deps.type });
    deps.metrics?.messages.inc({ type: deps.type, outcome: 'retrying' });
    msg.nak(delay);
    return 'retrying';
  }
  return deadLetterAndTerm(msg, deps, { reason: 'handler_failed', error: `${error} (after ${deliveries} deliveries)`, sagaId: message.sagaId, eventId: message.id, type: message.type });
}

function recordFailure(deps: HandlerDeps, message: { sagaId: string | null; id: string | null; type: string }, status: 'failed' | 'dead_lettered', error: string): void {
  try {
    logStep(deps.db, { sagaId: message.sagaId, step: deps.consumer, operation: message.type, status, eventIn: message.id, eventsOut: [], error }, Date.now());
  } catch (err) {
    deps.log.warn({ err }, 'could not write the step log');
  }
}

async function deadLetterAndTerm(
  msg: JsMsg,
  deps: HandlerDeps,
  what: { reason: string; error: string; sagaId: string | null; eventId: string | null; type?: string },
): Promise<Outcome> {
  try {
    await deadLetter(deps.js, msg, { service: deps.service, consumer: deps.consumer, type: deps.type, reason: what.reason, error: what.error });
  } catch (err) {
    // Not stored in the DLQ: leave the message to be redelivered rather than lose it.
    deps.log.error({ err, consumer: deps.consumer, sagaId: what.sagaId }, 'dead-letter publish failed; message left for redelivery');
    msg.nak(1000);
    return 'retrying';
  }
  msg.term();
  recordFailure(deps, { sagaId: what.sagaId, id: what.eventId, type: what.type ?? deps.type }, 'dead_lettered', `${what.reason}: ${what.error}`);
  deps.metrics?.deadLetters.inc({ type: deps.type, reason: what.reason });
  deps.metrics?.messages.inc({ type: deps.type, outcome: 'dead_lettered' });
  deps.log.error(
    { consumer: deps.consumer, sagaId: what.sagaId, type: deps.type, reason: what.reason, error: what.error, streamSeq: msg.info.streamSequence },
    'message dead-lettered',
  );
  return 'dead_lettered';
}
