import { decodeMessage, type Envelope, type EventDraft } from '@jetsaga/events';
import type { JetStreamClient, JsMsg } from 'nats';
import type { ServiceDb } from './db.js';
import { deadLetter } from './dead-letter.js';
import { writeEmitted } from './emit.js';
import { type FaultPlan, injectFault } from './faults.js';
import { claimInbox, countOutcome } from './inbox.js';
import type { Logger } from './logger.js';
import type { Reaction } from './reaction.js';
import { retryDelayMs, type RetryPolicy, shouldRetry } from './retry-policy.js';
import { armTimer, disarmTimer, type TimerRequest } from './timers.js';
import { childTraceparent } from './trace-context.js';

export type Outcome = 'handled' | 'duplicate' | 'retrying' | 'dead_lettered';

export interface HandlerDeps {
  service: string;
  consumer: string;
  /** The message type this consumer handles: dead letters go to `dlq.<service>.<type>`. */
  type: string;
  db: ServiceDb;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  reaction: Reaction<any, any>;
  js: JetStreamClient;
  log: Logger;
  retry: RetryPolicy;
  maxBytes: number;
  faults?: FaultPlan;
  /** Called after a commit that wrote outbox rows. */
  onOutboxWrite(): void;
  /** Called after a commit that armed a timer. */
  onTimerArmed(): void;
  /** Called after every commit of a reaction. */
  onCommit?(): void;
}

/**
 * One delivery, start to finish: validate -> (inbox + reaction + outbox in one SQLite
 * transaction) -> ack. Invalid input is dead-lettered at once; a throwing reaction is nak'ed
 * with backoff and dead-lettered after `retry.maxDeliver` deliveries.
 */
export async function handleMessage(msg: JsMsg, deps: HandlerDeps): Promise<Outcome> {
  const decoded = decodeMessage(msg.data, { subject: msg.subject, maxBytes: deps.maxBytes });
  if (!decoded.ok) {
    return deadLetterAndTerm(msg, deps, { reason: decoded.reason, error: decoded.detail, sagaId: decoded.envelope?.sagaId ?? null });
  }
  const message = decoded.envelope;
  const log = deps.log.child({ sagaId: message.sagaId, eventId: message.id, type: message.type });
  const deliveries = msg.info.redeliveryCount;
  if (deliveries > crashCeiling(deps.retry) && !alreadyHandled(deps, message.id)) {
    // Delivered this often without a handler failure to show for it: it keeps killing the
    // process (or timing out). Park it rather than crash forever.
    return deadLetterAndTerm(msg, deps, { reason: 'too_many_deliveries', error: `${deliveries} deliveries without an outcome`, sagaId: message.sagaId });
  }
  let written: number | 'duplicate';
  try {
    written = runInTransaction(msg, message, deps, log);
  } catch (err) {
    return retryOrDeadLetter(msg, message, deps, log, err);
  }
  msg.ack();
  if (written === 'duplicate') {
    log.debug({ consumer: deps.consumer }, 'duplicate dropped by inbox');
    return 'duplicate';
  }
  if (written > 0) deps.onOutboxWrite();
  deps.onCommit?.();
  log.debug({ consumer: deps.consumer, emitted: written }, 'handled');
  return 'handled';
}

/** Deliveries after which a message that never got to fail is parked: crash loops, not retries. */
export function crashCeiling(policy: RetryPolicy): number {
  return policy.maxDeliver + 20;
}

function alreadyHandled(deps: HandlerDeps, eventId: string): boolean {
  return !!deps.db.$client.prepare('SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?').get(deps.consumer, eventId);
}

function runInTransaction(msg: JsMsg, message: Envelope, deps: HandlerDeps, log: Logger): number | 'duplicate' {
  if (deps.faults) injectFault(deps.faults, message.type, msg.info.redeliveryCount);
  const now = new Date();
  const traceparent = childTraceparent(msg.headers?.get('traceparent'));
  const origin = { sagaId: message.sagaId, causationId: message.id, correlationId: message.correlationId ?? message.id, traceparent };
  let armed = 0;
  const written = deps.db.transaction((tx) => {
    if (!claimInbox(tx, deps.consumer, message.id, now.getTime())) {
      countOutcome(tx, deps.consumer, 'duplicates', now.getTime());
      return 'duplicate';
    }
    countOutcome(tx, deps.consumer, 'handled', now.getTime());
    const drafts: EventDraft[] = [];
    deps.reaction({
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      message: message as Envelope<any, any>,
      tx,
      now,
      log,
      emit: (d: EventDraft) => drafts.push(d),
      schedule: (t: TimerRequest) => void (armed += armTimer(tx, t, origin, now.getTime()) ? 1 : 0),
      cancelTimer: (kind: string, key: string) => void disarmTimer(tx, kind, key, now.getTime()),
    });
    return writeEmitted(tx, drafts, { service: deps.service, sagaId: message.sagaId, cause: message, traceparent, now });
  });
  if (armed > 0) deps.onTimerArmed();
  return written;
}

async function retryOrDeadLetter(msg: JsMsg, message: Envelope, deps: HandlerDeps, log: Logger, err: unknown): Promise<Outcome> {
  const deliveries = msg.info.redeliveryCount;
  if (shouldRetry(deps.retry, deliveries)) {
    const delay = retryDelayMs(deps.retry, deliveries);
    log.warn({ err, consumer: deps.consumer, deliveries, retryInMs: delay }, 'handler failed; will retry');
    msg.nak(delay);
    return 'retrying';
  }
  return deadLetterAndTerm(msg, deps, {
    reason: 'handler_failed',
    error: `${(err as Error)?.message ?? String(err)} (after ${deliveries} deliveries)`,
    sagaId: message.sagaId,
  });
}

async function deadLetterAndTerm(
  msg: JsMsg,
  deps: HandlerDeps,
  what: { reason: string; error: string; sagaId: string | null },
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
  deps.log.error(
    { consumer: deps.consumer, sagaId: what.sagaId, type: deps.type, reason: what.reason, error: what.error, streamSeq: msg.info.streamSequence },
    'message dead-lettered',
  );
  return 'dead_lettered';
}
