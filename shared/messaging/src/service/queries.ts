import type { SagaCursor, SagaSide, SagaSummary, SagasQuery, SidesQuery, StepRecordView } from '@jetsaga/events';
import type { ServiceDb } from '../sqlite/open-db.js';
import { timerId } from '../step/timer-rows.js';

/**
 * What a service answers about its own records, besides what the kit answers for every
 * service (status, steps): pure functions over its db, run by the kit on its own connection
 * (reads see committed work). Declared in the service's definition (`queries`).
 */
export interface ServiceQueries<Tx = ServiceDb> {
  /**
   * For a service that owns sagas (order): its sagas, newest first, filtered and paged as the
   * request says (keyset: those created before `request.before`).
   */
  sagas?(db: Tx, request: SagasQuery, now: Date): { sagas: SagaSummary[]; next: SagaCursor | null; counts: Record<string, number> };
  /** Its side of each saga (for `jetsaga reconcile`): records changed since, or of the sagas named, paged by saga id. */
  sides?(db: Tx, request: SidesQuery): { sides: SagaSide[]; next: string | null };
  /** Its own invariants that do not hold now, each as a sentence (stock or money not conserved). */
  problems?(db: Tx): string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The due time of a timer still armed (`<kind>:<key>`), or null: an owner's deadline for its saga list. */
export function armedTimerDueAt(db: ServiceDb, kind: string, key: string): number | null {
  const row = db.$client.prepare('SELECT due_at AS dueAt FROM timers WHERE id = ? AND fired_at IS NULL').get(timerId(kind, key)) as { dueAt: number } | undefined;
  return row?.dueAt ?? null;
}

/** One saga's steps in this service's step log, oldest first. */
export function readSteps(db: ServiceDb, sagaId: string, limit: number): StepRecordView[] {
  const rows = db.$client
    .prepare('SELECT id, step, operation, status, event_in AS eventIn, events_out AS eventsOut, error, created_at AS at FROM step_log WHERE saga_id = ? ORDER BY id LIMIT ?')
    .all(sagaId, limit) as { id: number; step: string; operation: string; status: StepRecordView['status']; eventIn: string | null; eventsOut: string; error: string | null; at: number }[];
  return rows.map((r) => ({ ...r, eventsOut: JSON.parse(r.eventsOut) as string[], at: iso(r.at) }));
}

export interface LocalStatus {
  outbox: { backlog: number; oldestUnsentMs: number | null };
  timers: { armed: number; due: number; nextDueAt: string | null };
  lastError: { at: string; step: string; operation: string; sagaId: string | null; status: string; error: string } | null;
  lastHour: { done: number; failed: number; deadLettered: number };
}

/** What the kit's tables say about the service now: outbox, timers, last error, recent failures. */
export function readLocalStatus(db: ServiceDb, now: number): LocalStatus {
  const c = db.$client;
  const outbox = c.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL').get() as { n: number; oldest: number | null };
  const timers = c.prepare('SELECT count(*) AS armed, coalesce(sum(due_at <= ?), 0) AS due, min(due_at) AS next FROM timers WHERE fired_at IS NULL').get(now) as {
    armed: number;
    due: number;
    next: number | null;
  };
  const last = c.prepare("SELECT step, operation, saga_id AS sagaId, status, error, created_at AS at FROM step_log WHERE status != 'done' ORDER BY id DESC LIMIT 1").get() as
    | { step: string; operation: string; sagaId: string | null; status: string; error: string | null; at: number }
    | undefined;
  const failures = c.prepare("SELECT status, count(*) AS n FROM step_log WHERE status != 'done' AND created_at >= ? GROUP BY status").all(now - 3_600_000) as { status: string; n: number }[];
  // Steps done in the last hour, among the newest 100,000 (the step log has no index on its
  // time: it is read backwards by id, bounded so a busy service answers fast).
  const done = c
    .prepare("SELECT count(*) AS n FROM (SELECT created_at, status FROM step_log ORDER BY id DESC LIMIT 100000) WHERE created_at >= ? AND status = 'done'")
    .get(now - 3_600_000) as { n: number };
  return {
    outbox: { backlog: outbox.n, oldestUnsentMs: outbox.oldest === null ? null : Math.max(0, now - outbox.oldest) },
    timers: { armed: timers.armed, due: timers.due, nextDueAt: timers.next === null ? null : iso(timers.next) },
    lastError: last ? { step: last.step, operation: last.operation, sagaId: last.sagaId, status: last.status, error: last.error ?? '', at: iso(last.at) } : null,
    lastHour: {
      done: done.n,
      failed: failures.find((f) => f.status === 'failed')?.n ?? 0,
      deadLettered: failures.find((f) => f.status === 'dead_lettered')?.n ?? 0,
    },
  };
}

/** Where a service's side of its sagas is: a table and the SQL expressions of each field. */
export interface SideSource {
  /** A table, or a join (`reservations r`). */
  from: string;
  sagaId: string;
  /** An SQL expression, or a quoted constant (`'payment'`). */
  kind: string;
  status: string;
  customerId: string;
  amount: string;
  /** Milliseconds since the epoch. */
  updatedAt: string;
  /** An extra condition on the rows (`order_id IS NOT NULL`). */
  where?: string;
}

/**
 * A page of a service's sides (the `sides` query) from one table: rows changed since, or of
 * the sagas named, in saga id order after `after`.
 */
export function sidesPage(db: ServiceDb, q: SidesQuery, s: SideSource): { sides: SagaSide[]; next: string | null } {
  const where: string[] = s.where ? [`(${s.where})`] : [];
  const params: unknown[] = [];
  if (q.since) where.push(`${s.updatedAt} >= ?`), params.push(Date.parse(q.since));
  if (q.sagaIds) where.push(`${s.sagaId} IN (${q.sagaIds.map(() => '?').join(', ') || "''"})`), params.push(...q.sagaIds);
  if (q.after) where.push(`${s.sagaId} > ?`), params.push(q.after);
  const rows = db.$client
    .prepare(
      `SELECT ${s.sagaId} AS sagaId, ${s.kind} AS kind, ${s.status} AS status, ${s.customerId} AS customerId, ${s.amount} AS amount, ${s.updatedAt} AS updatedAt
         FROM ${s.from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${s.sagaId}, kind LIMIT ?`,
    )
    .all(...params, q.limit + 1) as (Omit<SagaSide, 'updatedAt'> & { updatedAt: number })[];
  const sides = rows.slice(0, q.limit).map((r) => ({ ...r, updatedAt: iso(r.updatedAt) }));
  // A page never splits a saga's sides: the next starts after the last saga whose sides are all here.
  if (rows.length <= q.limit) return { sides, next: null };
  const cut = rows[q.limit]!.sagaId;
  const whole = sides.filter((x) => x.sagaId !== cut);
  const page = whole.length > 0 ? whole : sides;
  return { sides: page, next: page[page.length - 1]!.sagaId };
}

/** Where a service's sagas are: a table, the SQL expressions of each field, and which states mean what. */
export interface SagaSource {
  from: string;
  /** What its sagas are (`order`, `transfer`). */
  kind: string;
  sagaId: string;
  state: string;
  reason: string;
  customerId: string;
  amount: string;
  /** Milliseconds since the epoch. */
  createdAt: string;
  updatedAt: string;
  terminal: readonly string[];
  failed: readonly string[];
  /** The durable timer (its kind, keyed by saga id) that is the saga's deadline while it is open. */
  deadline?: string;
}

/**
 * A page of a service's sagas (the `sagas` query) from one table, newest first: filtered as the
 * request says (stuck: open with no change for `stuckForMs`), before its cursor, with the counts
 * by state of all that match.
 */
export function sagasPage(db: ServiceDb, q: SagasQuery, s: SagaSource, now: Date): { sagas: SagaSummary[]; next: SagaCursor | null; counts: Record<string, number> } {
  const where: string[] = [];
  const params: unknown[] = [];
  const list = (values: readonly string[]) => values.map(() => '?').join(', ') || "''";
  if (q.states?.length) where.push(`${s.state} IN (${list(q.states)})`), params.push(...q.states);
  if (q.failed) where.push(`${s.state} IN (${list(s.failed)})`), params.push(...s.failed);
  if (q.stuckForMs !== undefined) where.push(`${s.state} NOT IN (${list(s.terminal)}) AND ${s.updatedAt} <= ?`), params.push(...s.terminal, now.getTime() - q.stuckForMs);
  if (q.since) where.push(`${s.createdAt} >= ?`), params.push(Date.parse(q.since));
  if (q.search) where.push(`${s.sagaId} >= ? AND ${s.sagaId} < ? || '\uffff'`), params.push(q.search, q.search);
  const sql = (w: string[]) => (w.length > 0 ? ` WHERE ${w.join(' AND ')}` : '');
  const counts = Object.fromEntries(
    (db.$client.prepare(`SELECT ${s.state} AS state, count(*) AS n FROM ${s.from}${sql(where)} GROUP BY 1`).all(...params) as { state: string; n: number }[]).map((c) => [c.state, c.n]),
  );
  if (q.before) {
    const at = Date.parse(q.before.createdAt);
    where.push(`(${s.createdAt} < ? OR (${s.createdAt} = ? AND ${s.sagaId} < ?))`);
    params.push(at, at, q.before.sagaId);
  }
  const rows = db.$client
    .prepare(
      `SELECT ${s.sagaId} AS sagaId, ${s.state} AS state, ${s.reason} AS reason, ${s.customerId} AS customerId, ${s.amount} AS amount, ${s.createdAt} AS createdAt, ${s.updatedAt} AS updatedAt
         FROM ${s.from}${sql(where)} ORDER BY ${s.createdAt} DESC, ${s.sagaId} DESC LIMIT ?`,
    )
    .all(...params, q.limit + 1) as { sagaId: string; state: string; reason: string | null; customerId: string | null; amount: number | null; createdAt: number; updatedAt: number }[];
  const sagas = rows.slice(0, q.limit).map((r): SagaSummary => {
    const terminal = s.terminal.includes(r.state);
    const deadline = !terminal && s.deadline ? armedTimerDueAt(db, s.deadline, r.sagaId) : null;
    return {
      sagaId: r.sagaId,
      kind: s.kind,
      state: r.state,
      terminal,
      failed: s.failed.includes(r.state),
      reason: r.reason,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
      deadlineAt: deadline === null ? null : iso(deadline),
      customerId: r.customerId,
      amount: r.amount,
    };
  });
  const last = sagas[sagas.length - 1];
  return { sagas, next: rows.length > q.limit && last ? { createdAt: last.createdAt, sagaId: last.sagaId } : null, counts };
}
