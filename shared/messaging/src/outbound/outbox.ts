import type { SqliteHandle } from '../sqlite/sqlite-handle.js';
import { inTransaction } from '../sqlite/transaction.js';

type Db = SqliteHandle;

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

/**
 * Adds a message to the outbox; call inside the transaction that makes the change it reports.
 * Returns the row, for the relay to publish without reading it back once the transaction commits.
 */
export function enqueueOutbox(db: Db, entry: OutboxEntry, now: number): PendingRow {
  const { lastInsertRowid } = db.$client
    .prepare('INSERT INTO outbox (event_id, subject, payload, headers, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(entry.eventId, entry.subject, entry.payload, JSON.stringify(entry.headers), now);
  return { ...entry, seq: Number(lastInsertRowid), createdAt: now };
}

interface OutboxRow {
  seq: number;
  event_id: string;
  subject: string;
  payload: string;
  headers: string;
  created_at: number;
}

/** The oldest unsent rows after `afterSeq`, in the order they were written. */
export function readPendingOutbox(db: Db, limit: number, afterSeq = 0): PendingRow[] {
  const rows = db.$client
    .prepare('SELECT seq, event_id, subject, payload, headers, created_at FROM outbox WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?')
    .all(afterSeq, limit) as OutboxRow[];
  return rows.map((r) => ({ seq: r.seq, createdAt: r.created_at, eventId: r.event_id, subject: r.subject, payload: r.payload, headers: JSON.parse(r.headers) as Record<string, string> }));
}

/** Marks rows sent, in one transaction (the caller's, when one is open). */
export function markOutboxSent(db: Db, seqs: number[], now: number): void {
  if (seqs.length === 0) return;
  const mark = db.$client.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL');
  const markAll = () => {
    for (const seq of seqs) mark.run(now, seq);
  };
  if (db.$client.inTransaction) markAll();
  else inTransaction(db, markAll);
}

export function countUnsentOutbox(db: Db): number {
  return (db.$client.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;
}

/** Age in ms of the oldest unsent row, or undefined when everything is sent. */
export function oldestUnsentAgeMs(db: Db, now = Date.now()): number | undefined {
  const row = db.$client.prepare('SELECT created_at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1').get() as { created_at: number } | undefined;
  return row ? now - row.created_at : undefined;
}
