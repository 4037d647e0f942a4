import { decodeMessage, type Envelope } from '@jetsaga/events';
import type { JetStreamClient, JsMsg } from 'nats';
import { KitError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import type { KitMetrics } from '../observe/metrics.js';
import { startStepSpan } from '../observe/tracing.js';
import type { ServiceDb } from '../sqlite/open-db.js';
import type { BatchWriter } from '../step/commit-batch.js';
import { inboxHas } from '../step/inbox.js';
import { logStep } from '../step/step-log.js';
import { deadLetter } from './dead-letter.js';
import { type FaultPlan, injectFault } from './faults.js';
import { retryDelayMs, type RetryPolicy, shouldRetry } from './retry-policy.js';

export type Outcome = 'handled' | 'duplicate' | 'retrying' | 'dead_lettered' | 'not_ours';

/** What one consumer needs to take a delivery through validation, the batch and the ack. */
export interface DeliveryDeps {
  service: string;
  /** The durable consumer (`<service>-<Type>`). */
  consumer: string;
  /** The message type this consumer handles: dead letters go to `dlq.<service>.<type>`. */
  type: string;
  db: ServiceDb;
  js: JetStreamClient;
  log: Logger;
  retry: RetryPolicy;
  maxBytes: number;
  faults?: FaultPlan;
  metrics?: KitMetrics;
  /** Commits this message with the others received in the same turn of the event loop. */
  batch: BatchWriter;
  /** The partition count of a partitioned service: the broker's partition tokens are checked against it. */
  partitions?: number;
  /**
   * A partition that takes every message of this type (`partitionBy` `all`): whether this one is
   * its own. The others are acked with nothing written (no step, no inbox row: they change
   * nothing here, now or on a redelivery).
   */
  takes?: (message: Envelope) => boolean;
}

/**
 * One delivery, start to finish: validate -> (inbox + reaction + outbox + step log in one
 * SQLite transaction) -> ack. Invalid input is dead-lettered at once; a throwing reaction is
 * nak'ed with backoff and dead-lettered after `retry.maxDeliver` deliveries.
 */
export async function handleDelivery(msg: JsMsg, deps: DeliveryDeps, more = false): Promise<Outcome> {
  const started = process.hrtime.bigint();
  const decoded = decodeMessage(msg.data, { subject: msg.subject, maxBytes: deps.maxBytes, partitions: deps.partitions });
  if (!decoded.ok) {
    return deadLetterAndTerm(msg, deps, { reason: decoded.reason, error: decoded.detail, sagaId: decoded.envelope?.sagaId ?? null, eventId: decoded.envelope?.id ?? null });
  }
  const message = decoded.envelope;
  if (deps.takes && !deps.takes(message)) {
    msg.ack();
    deps.metrics?.messages.inc({ type: deps.type, outcome: 'not_ours' });
    return 'not_ours';
  }
  // Made only where a line is written: pino serialises a child's bindings when it is made.
  const log = () => deps.log.child({ sagaId: message.sagaId, eventId: message.id, type: message.type });
  const deliveries = msg.info.redeliveryCount;
  if (deliveries > crashCeiling(deps.retry) && !inboxHas(deps.db, deps.consumer, message.id)) {
    // Delivered this often without a handler failure to show for it: it keeps killing the
    // process (or timing out). Park it rather than crash forever.
    return deadLetterAndTerm(msg, deps, { reason: 'too_many_deliveries', error: `${deliveries} deliveries without an outcome`, sagaId: message.sagaId, eventId: message.id });
  }
  let duplicate: boolean;
  const span = startStepSpan(`${deps.consumer} ${message.type}`, msg.headers?.get('traceparent'), () => ({
    'messaging.system': 'nats',
    'messaging.destination.name': msg.subject,
    'messaging.consumer.group.name': deps.consumer,
    'jetsaga.saga_id': message.sagaId ?? '',
    'jetsaga.event_id': message.id,
    'jetsaga.delivery': deliveries,
  }));
  try {
    if (deps.faults) injectFault(deps.faults, message.type, deliveries);
    ({ duplicate } = await deps.batch.submit({ consumer: deps.consumer, message, traceparent: span.traceparent }, more));
  } catch (err) {
    span.end(err);
    if (err instanceof KitError && err.deadLetterAtOnce) {
      return deadLetterAndTerm(msg, deps, { reason: err.code, error: err.message, sagaId: message.sagaId, eventId: message.id, type: message.type });
    }
    return retryOrDeadLetter(msg, message, deps, log(), err);
  }
  msg.ack();
  span.end();
  const outcome: Outcome = duplicate ? 'duplicate' : 'handled';
  deps.metrics?.messages.inc({ type: deps.type, outcome });
  if (duplicate) {
    if (deps.log.isLevelEnabled('debug')) log().debug({ consumer: deps.consumer }, 'duplicate dropped by inbox');
    return outcome;
  }
  deps.metrics?.handlerSeconds.observe({ type: deps.type }, Number(process.hrtime.bigint() - started) / 1e9);
  if (deps.log.isLevelEnabled('debug')) log().debug({ consumer: deps.consumer }, 'handled');
  return outcome;
}

/** Deliveries after which a message that never got to fail is parked: crash loops, not retries. */
export function crashCeiling(policy: RetryPolicy): number {
  return policy.maxDeliver + 20;
}

async function retryOrDeadLetter(msg: JsMsg, message: Envelope, deps: DeliveryDeps, log: Logger, err: unknown): Promise<Outcome> {
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

function recordFailure(deps: DeliveryDeps, message: { sagaId: string | null; id: string | null; type: string }, status: 'failed' | 'dead_lettered', error: string): void {
  try {
    logStep(deps.db, { sagaId: message.sagaId, step: deps.consumer, operation: message.type, status, eventIn: message.id, eventsOut: [], error }, Date.now());
  } catch (err) {
    deps.log.warn({ err }, 'could not write the step log');
  }
}

async function deadLetterAndTerm(
  msg: JsMsg,
  deps: DeliveryDeps,
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
