import { and, asc, count, inArray, isNull } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { outbox } from './schema.js';

// Any drizzle handle over a schema that includes the kit's tables (a db or a transaction).
type Db = Pick<BetterSQLite3Database, 'insert' | 'select' | 'update'>;

export interface OutboxEntry {
  eventId: string;
  subject: string;
  payload: string;
  headers: Record<string, string>;
}

export interface PendingRow extends OutboxEntry {
  seq: number;
  createdAt: number;
}

/** Adds a message to the outbox; call inside the transaction that makes the change it reports. */
export function enqueueOutbox(tx: Db, entry: OutboxEntry, now: number): void {
  tx.insert(outbox)
    .values({ eventId: entry.eventId, subject: entry.subject, payload: entry.payload, headers: JSON.stringify(entry.headers), createdAt: now })
    .run();
}

/** The oldest unsent rows, in the order they were written. */
export function readPendingOutbox(db: Db, limit: number): PendingRow[] {
  return db
    .select()
    .from(outbox)
    .where(isNull(outbox.sentAt))
    .orderBy(asc(outbox.seq))
    .limit(limit)
    .all()
    .map((r) => ({ seq: r.seq, createdAt: r.createdAt, eventId: r.eventId, subject: r.subject, payload: r.payload, headers: JSON.parse(r.headers) as Record<string, string> }));
}

export function markOutboxSent(db: Db, seqs: number[], now: number): void {
  if (seqs.length === 0) return;
  db.update(outbox).set({ sentAt: now }).where(and(inArray(outbox.seq, seqs), isNull(outbox.sentAt))).run();
}

export function countUnsentOutbox(db: Db): number {
  return db.select({ n: count() }).from(outbox).where(isNull(outbox.sentAt)).get()?.n ?? 0;
}

/** Age in ms of the oldest unsent row, or undefined when everything is sent. */
export function oldestUnsentAgeMs(db: Db, now = Date.now()): number | undefined {
  const row = db.select({ createdAt: outbox.createdAt }).from(outbox).where(isNull(outbox.sentAt)).orderBy(asc(outbox.seq)).limit(1).get();
  return row ? now - row.createdAt : undefined;
}
