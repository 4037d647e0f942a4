import { type EventDraft, newId, type Partition } from '@jetsaga/events';
import { KitError } from '../errors.js';
import { writeEmitted } from '../outbound/emit.js';
import type { PendingRow } from '../outbound/outbox.js';
import type { Decision, ReactContext } from './decision.js';
import type { ServiceDb } from '../sqlite/open-db.js';
import { armTimer, disarmTimer, type TimerOrigin } from './timer-rows.js';
import { logStep } from './step-log.js';

/** What a step needs of a service definition (see service/define.ts). */
export interface StepFunctions {
  timers?: readonly string[];
  load(tx: ServiceDb, input: never): unknown;
  react(state: never, input: never, ctx: ReactContext<never>): Decision<unknown>;
  save(tx: ServiceDb, changes: never, now: number): void;
}

/** A service's load -> react -> save, bound to its settings: what a step runs. */
export interface Reactor {
  service: string;
  def: StepFunctions;
  settings: unknown;
  /** The partition the process runs, given to the router as `ctx.partition`. */
  partition?: Partition;
}

export interface StepInfo {
  /** The consumer (`<service>-<Type>`) or timer (`timer:<kind>`) running the step. */
  step: string;
  /** The message that caused the step (its events are caused by it, its timers remember it). */
  origin: TimerOrigin & { traceparent: string };
  now: Date;
}

export interface StepResult {
  /** Ids of the events written to the outbox. */
  ids: string[];
  /** Their outbox rows, for the relay once the transaction has committed. */
  rows: PendingRow[];
  drafts: EventDraft[];
  /** Due time of the earliest timer armed, if any. */
  armedDueAt?: number;
}

/**
 * One input through the service, inside the transaction the caller holds open: load its
 * state, react, save the changes, arm and disarm the timers, write the events to the outbox
 * and the step to the step log.
 */
export function runStep(db: ServiceDb, reactor: Reactor, input: { type: string }, info: StepInfo): StepResult {
  const { def, settings } = reactor;
  const at = info.now.getTime();
  // The kit routes only the types the service subscribes to, so the input fits its router.
  const routed = input as never;
  const state = def.load(db, routed) as never;
  const decision = def.react(state, routed, { now: info.now, settings: settings as never, newId, partition: reactor.partition });
  if (decision.mismatch !== undefined) throw new KitError('fact_mismatch', decision.mismatch);
  if (decision.changes !== undefined) def.save(db, decision.changes as never, at);
  let armedDueAt: number | undefined;
  for (const t of decision.disarm ?? []) disarmTimer(db, t.kind, t.key, at);
  for (const t of decision.arm ?? []) {
    if (armTimer(db, t, info.origin, at)) armedDueAt = Math.min(armedDueAt ?? Infinity, t.dueAt.getTime());
  }
  const drafts = decision.events ?? [];
  const { origin } = info;
  const cause = origin.causationId ? { id: origin.causationId, correlationId: origin.correlationId } : null;
  const rows = writeEmitted(db, drafts, { service: reactor.service, sagaId: origin.sagaId, cause, traceparent: origin.traceparent, now: info.now });
  const ids = rows.map((r) => r.eventId);
  logStep(db, { sagaId: origin.sagaId, step: info.step, operation: input.type, status: 'done', eventIn: origin.causationId, eventsOut: ids }, at);
  return { ids, rows, drafts, armedDueAt };
}
