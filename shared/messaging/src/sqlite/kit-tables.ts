import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { isNull, sql } from 'drizzle-orm';

/**
 * The kit's tables, in every service db. The kit owns them: its migrations (`../../drizzle`,
 * tracked in `__jetsaga_kit_migrations`) are applied before the service's own.
 */

/**
 * Transactional outbox: rows written in the handler's transaction, published by the relay.
 * `event_id` has no index: ids are fresh uuidv7s and nothing looks a row up by one, and each
 * b-tree an insert touches is one more page in every commit (kit migration 0003).
 */
export const outbox = sqliteTable(
  'outbox',
  {
    // Not AUTOINCREMENT (its counter is one more page in every commit): prune keeps the newest
    // row, so the largest seq never goes and, while the service runs, new rows never take an old
    // one's seq (the relay reads after the last seq it published).
    seq: integer('seq').primaryKey(),
    eventId: text('event_id').notNull(),
    subject: text('subject').notNull(),
    payload: text('payload').notNull(),
    headers: text('headers').notNull(),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('outbox_unsent').on(t.seq).where(isNull(t.sentAt))],
);

/**
 * Inbox: one row per (consumer, event) already handled; the source of truth for dedupe.
 * WITHOUT ROWID (kit migration 0003; drizzle cannot declare it): the rows live in their key's
 * b-tree, one page per insert instead of a table's and an index's. A migration that rebuilds
 * this table must keep it.
 */
export const inbox = sqliteTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    processedAt: integer('processed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

/**
 * Durable timers (deadlines, delayed compensation): rows fired by the service itself, so
 * they survive restarts. The id is `<kind>:<key>`: arming the same timer twice is a no-op.
 * WITHOUT ROWID, as the inbox.
 */
export const timers = sqliteTable(
  'timers',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    dueAt: integer('due_at').notNull(),
    payload: text('payload').notNull(),
    sagaId: text('saga_id'),
    /** The message that armed it: the events it emits are caused by that message. */
    causationId: text('causation_id'),
    correlationId: text('correlation_id'),
    traceparent: text('traceparent'),
    createdAt: integer('created_at').notNull(),
    firedAt: integer('fired_at'),
    /** Failed firings so far; each pushes `due_at` back with backoff. */
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('timers_due').on(t.dueAt).where(isNull(t.firedAt))],
);

/**
 * Per consumer, what its messages came to; written in the same transaction as the work, so
 * the counts survive crashes (the chaos report and `status` read them).
 */
export const consumerStats = sqliteTable('consumer_stats', {
  consumer: text('consumer').primaryKey(),
  handled: integer('handled').notNull().default(0),
  duplicates: integer('duplicates').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * The saga log of this service: one row per step it ran for a saga (a handled message or a
 * fired timer), or a failed attempt, with what came in and what went out. `jetsaga trace`
 * reads it; it is pruned with the inbox.
 */
export const stepLog = sqliteTable(
  'step_log',
  {
    // Not AUTOINCREMENT, as the outbox's seq.
    id: integer('id').primaryKey(),
    sagaId: text('saga_id'),
    /** The consumer (`<service>-<Type>`) or timer (`timer:<kind>`) that ran the step. */
    step: text('step').notNull(),
    /** The message type or timer kind handled. */
    operation: text('operation').notNull(),
    status: text('status', { enum: ['done', 'failed', 'dead_lettered'] }).notNull(),
    eventIn: text('event_in'),
    /** JSON array of the ids of the events emitted. */
    eventsOut: text('events_out').notNull(),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('step_log_saga').on(t.sagaId),
    // the failed attempts and dead letters alone: a service's last error and its recent failures, for its status query
    index('step_log_problems').on(t.id).where(sql`status != 'done'`),
  ],
);
