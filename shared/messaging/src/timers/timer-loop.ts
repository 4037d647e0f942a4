import type { Logger } from '../observe/logger.js';
import type { KitMetrics } from '../observe/metrics.js';
import { startStepSpan } from '../observe/tracing.js';
import { defaultRetryPolicy, retryDelayMs } from '../consume/retry-policy.js';
import type { ServiceDb } from '../sqlite/open-db.js';
import { inTransaction } from '../sqlite/transaction.js';
import { KitError } from '../errors.js';
import { type Reactor, runStep, type StepResult } from '../step/run-step.js';
import { logStep } from '../step/step-log.js';
import { type DueTimer, markTimerFired, nextTimerDue, postponeTimer, readDueTimers } from '../step/timer-rows.js';

export interface TimerLoopOptions {
  db: ServiceDb;
  reactor: Reactor;
  log: Logger;
  /** After a firing's commit (once on disk, with `durable`): the outbox rows it wrote. */
  onOutboxWrite(rows: StepResult['rows']): void;
  /** Resolves once a commit is on disk (`WalSync.sync`, synchronous=FULL); as the batch writer's. */
  durable?: () => Promise<void>;
  /** Longest sleep between checks (default 1000 ms); a newly armed timer wakes the loop. */
  pollMs?: number;
  metrics?: KitMetrics;
}

/**
 * Fires due timers, each in its own transaction with the events it emits: the timer row is
 * marked fired in the same commit, so a crash fires it again and a commit never twice.
 */
export class TimerLoop {
  private timer: NodeJS.Timeout | null = null;
  /** When the scheduled check runs. */
  private checkAt = Infinity;
  private stopped = true;
  fired = 0;

  constructor(private readonly options: TimerLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * A timer was armed: check now, or, given its due time, no later than that (a check already
   * scheduled by then is enough: most timers are deadlines far ahead).
   */
  wake(dueAt?: number): void {
    if (this.stopped) return;
    if (dueAt !== undefined && dueAt >= this.checkAt) return;
    this.schedule(dueAt === undefined ? 0 : Math.max(0, dueAt - Date.now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.checkAt = Infinity;
  }

  /** Fires every timer due at `now`; returns how many fired. */
  fireDue(now = new Date()): number {
    let count = 0;
    for (const due of readDueTimers(this.options.db, now.getTime(), 100)) {
      try {
        if (this.fireOne(due, now)) count++;
      } catch (err) {
        if (err instanceof KitError && err.deadLetterAtOnce) {
          // No retry can change it (the router found its own records contradicted): stop firing it.
          this.giveUp(due, err, now);
          continue;
        }
        const attempts = due.attempts + 1;
        const retryInMs = retryDelayMs(defaultRetryPolicy, attempts);
        postponeTimer(this.options.db, due.id, attempts, now.getTime() + retryInMs);
        this.options.log.error({ err, timer: due.id, sagaId: due.sagaId, attempts, retryInMs }, 'timer reaction failed; will retry');
      }
    }
    this.fired += count;
    return count;
  }

  private giveUp(due: DueTimer, err: KitError, now: Date): void {
    const { db, log } = this.options;
    inTransaction(db, () => {
      markTimerFired(db, due.id, now.getTime());
      logStep(db, { sagaId: due.sagaId, step: `timer:${due.kind}`, operation: due.kind, status: 'dead_lettered', eventIn: due.causationId, eventsOut: [], error: `${err.code}: ${err.message}` }, now.getTime());
    });
    log.error({ err, timer: due.id, sagaId: due.sagaId, reason: err.code }, 'timer given up: its input contradicts this service\'s records');
  }

  private fireOne(due: DueTimer, now: Date): boolean {
    const { db, reactor } = this.options;
    if (!reactor.def.timers?.includes(due.kind)) throw new Error(`${reactor.service} has no timer of kind "${due.kind}"`);
    const span = startStepSpan(`timer ${due.kind}`, due.traceparent, () => ({ 'jetsaga.saga_id': due.sagaId ?? '', 'jetsaga.timer': due.id }));
    const traceparent = span.traceparent;
    const origin = { sagaId: due.sagaId, causationId: due.causationId, correlationId: due.correlationId, traceparent };
    const step = { step: `timer:${due.kind}`, origin, now };
    const input = { type: due.kind, key: due.key, payload: due.payload };
    let result: StepResult | null;
    try {
      result = inTransaction(db, () => (markTimerFired(db, due.id, now.getTime()) ? runStep(db, reactor, input, step) : null));
    } catch (err) {
      span.end(err);
      throw err;
    }
    span.end();
    if (result === null) return false;
    this.options.metrics?.timersFired.inc({ kind: due.kind });
    this.options.metrics?.countEmitted(result.drafts);
    const { rows } = result;
    if (rows.length > 0) {
      const { durable, onOutboxWrite } = this.options;
      // Not handed over if the sync fails: the service stops then, and its relay reads the table at start.
      if (durable) void durable().then(() => onOutboxWrite(rows), () => {});
      else onOutboxWrite(rows);
    }
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.checkAt = Date.now() + delayMs;
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    if (this.stopped) return;
    try {
      this.fireDue();
    } catch (err) {
      this.options.log.error({ err }, 'timer loop failed');
    }
    const pollMs = this.options.pollMs ?? 1000;
    let next: number | undefined;
    try {
      next = nextTimerDue(this.options.db);
    } catch (err) {
      this.options.log.error({ err }, 'timer loop could not read the next due time');
    }
    this.schedule(next === undefined ? pollMs : Math.max(5, Math.min(pollMs, next - Date.now())));
  }
}
