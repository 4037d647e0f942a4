import type { EventDraft } from '@jetsaga/events';
import type { ServiceDb } from './db.js';
import { writeEmitted } from './emit.js';
import type { Logger } from './logger.js';
import type { EffectContext } from './reaction.js';
import { logStep } from './step-log.js';
import { armTimer, disarmTimer, type TimerOrigin, type TimerRequest } from './timers.js';

export interface StepInfo {
  service: string;
  /** The consumer (`<service>-<Type>`) or timer (`timer:<kind>`) running the step. */
  step: string;
  /** The message type or timer kind. */
  operation: string;
  /** The message that caused the step (its events are caused by it, its timers remember it). */
  origin: TimerOrigin & { traceparent: string };
  now: Date;
  log: Logger;
}

export interface StepResult {
  /** Ids of the events written to the outbox. */
  ids: string[];
  drafts: EventDraft[];
  /** Due time of the earliest timer armed, if any. */
  armedDueAt?: number;
}

/**
 * Runs a reaction or a timer reaction inside the transaction the caller holds open: the
 * events it emits go to the outbox, the timers it arms or disarms to the timers table, and
 * the step to the step log.
 */
export function runStep(db: ServiceDb, info: StepInfo, react: (ctx: EffectContext<ServiceDb>) => void): StepResult {
  const { origin, now } = info;
  const at = now.getTime();
  const drafts: EventDraft[] = [];
  let armedDueAt: number | undefined;
  react({
    tx: db,
    now,
    log: info.log,
    emit: (d: EventDraft) => drafts.push(d),
    schedule: (t: TimerRequest) => {
      if (armTimer(db, t, origin, at)) armedDueAt = Math.min(armedDueAt ?? Infinity, t.dueAt.getTime());
    },
    cancelTimer: (kind: string, key: string) => void disarmTimer(db, kind, key, at),
  });
  const cause = origin.causationId ? { id: origin.causationId, correlationId: origin.correlationId } : null;
  const ids = writeEmitted(db, drafts, { service: info.service, sagaId: origin.sagaId, cause, traceparent: origin.traceparent, now });
  logStep(db, { sagaId: origin.sagaId, step: info.step, operation: info.operation, status: 'done', eventIn: origin.causationId, eventsOut: ids }, at);
  return { ids, drafts, armedDueAt };
}
