import { decodeMessage, type Envelope, type EventDraft, latest } from '@jetsaga/events';
import type { JetStreamClient, JsMsg } from 'nats';
import type { BatchWriter } from './batch-writer.js';
import type { ServiceDb } from './db.js';
import { deadLetter } from './dead-letter.js';
import { type FaultPlan, injectFault } from './faults.js';
import { claimInbox, inboxHas } from './inbox.js';
import type { Logger } from './logger.js';
import type { KitMetrics } from './metrics.js';
import type { Reaction } from './reaction.js';
import { retryDelayMs, type RetryPolicy, shouldRetry } from './retry-policy.js';
import { logStep } from './step-log.js';
import { runStep } from './run-step.js';
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
  if (deliveries > crashCeiling(deps.retry) && !inboxHas(deps.db, deps.consumer, message.id)) {
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

/** What one message came to inside its transaction. */
export interface Processed {
  emitted: string[] | 'duplicate';
  drafts: EventDraft[];
  /** Due time of the earliest timer armed, if any. */
  armedDueAt?: number;
}

/**
 * One validated message, inside a transaction the caller holds open (commitBatch): inbox
 * claim (or 'duplicate'), the reaction, its outbox rows, timers and step log.
 */
export function processInTransaction(deps: ProcessDeps, message: Envelope, opts: { delivery: number; traceparent: string }): Processed {
  if (deps.faults) injectFault(deps.faults, message.type, opts.delivery);
  const now = new Date();
  if (!claimInbox(deps.db, deps.consumer, message.id, now.getTime())) return { emitted: 'duplicate', drafts: [] };
  const origin = { sagaId: message.sagaId, causationId: message.id, correlationId: message.correlationId ?? message.id, traceparent: opts.traceparent };
  const step = { service: deps.service, step: deps.consumer, operation: message.type, origin, now, log: deps.log };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const { ids, drafts, armedDueAt } = runStep(deps.db, step, (ctx) => deps.reaction({ ...ctx, message: message as Envelope<any, any> }));
  return { emitted: ids, drafts, armedDueAt };
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
