import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { timers } from '../sqlite/kit-tables.js';
import type { SqliteHandle } from '../sqlite/sqlite-handle.js';

type Db = Pick<BetterSQLite3Database, 'insert' | 'select' | 'update'>;

/** A timer's row id: arming the same kind for the same key twice is one timer. */
export function timerId(kind: string, key: string): string {
  return `${kind}:${key}`;
}

export interface TimerRequest {
  /** What the timer is for; the service maps each kind to a timer reaction. */
  kind: string;
  /** What it is about (e.g. an order id); `(kind, key)` identifies the timer. */
  key: string;
  dueAt: Date;
  payload?: unknown;
}

/** Names an armed timer. */
export interface TimerRef {
  kind: string;
  key: string;
}

export interface DueTimer {
  id: string;
  attempts: number;
  kind: string;
  key: string;
  dueAt: number;
  payload: unknown;
  sagaId: string | null;
  causationId: string | null;
  correlationId: string | null;
  traceparent: string | null;
}

export interface TimerOrigin {
  sagaId: string | null;
  causationId: string | null;
  correlationId: string | null;
  traceparent: string | null;
}

/** Arms a timer in `tx`; false when one with the same kind and key exists already. */
export function armTimer(tx: SqliteHandle, request: TimerRequest, origin: TimerOrigin, now: number): boolean {
  return (
    tx.$client
      .prepare(
        `INSERT INTO timers (id, kind, key, due_at, payload, saga_id, causation_id, correlation_id, traceparent, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        timerId(request.kind, request.key),
        request.kind,
        request.key,
        request.dueAt.getTime(),
        JSON.stringify(request.payload ?? null),
        origin.sagaId,
        origin.causationId,
        origin.correlationId,
        origin.traceparent,
        now,
      ).changes === 1
  );
}

export function readDueTimers(db: Db, now: number, limit: number): DueTimer[] {
  return db
    .select()
    .from(timers)
    .where(and(isNull(timers.firedAt), lte(timers.dueAt, now)))
    .orderBy(asc(timers.dueAt))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
}

/** The earliest due time of an armed timer, if any. */
export function nextTimerDue(db: Db): number | undefined {
  return db.select({ dueAt: timers.dueAt }).from(timers).where(isNull(timers.firedAt)).orderBy(asc(timers.dueAt)).limit(1).get()?.dueAt;
}

/** Marks a timer fired; false if it was fired already (so its work must not run twice). */
export function markTimerFired(tx: Db, id: string, now: number): boolean {
  return tx.update(timers).set({ firedAt: now }).where(and(eq(timers.id, id), isNull(timers.firedAt))).run().changes === 1;
}

/** Disarms a timer that is no longer needed (marked fired, pruned later); false if none was armed. */
export function disarmTimer(tx: SqliteHandle, kind: string, key: string, now: number): boolean {
  return tx.$client.prepare('UPDATE timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL').run(now, timerId(kind, key)).changes === 1;
}

/** A failed firing: try again at `retryAt` (so it neither spins nor blocks the timers behind it). */
export function postponeTimer(db: Db, id: string, attempts: number, retryAt: number): void {
  db.update(timers).set({ attempts, dueAt: retryAt }).where(eq(timers.id, id)).run();
}
