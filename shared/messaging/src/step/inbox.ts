import type { SqliteHandle } from '../sqlite/sqlite-handle.js';

/**
 * Records that `consumer` handles `eventId`; false when it already did. Call first inside the
 * handler's transaction: the row commits with the work, or not at all.
 */
export function claimInbox(db: SqliteHandle, consumer: string, eventId: string, now: number): boolean {
  return db.$client.prepare('INSERT INTO inbox (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(consumer, eventId, now).changes === 1;
}

/** Whether `consumer` has handled `eventId` already. */
export function inboxHas(db: SqliteHandle, consumer: string, eventId: string): boolean {
  return !!db.$client.prepare('SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?').get(consumer, eventId);
}

/** Adds handled and duplicate messages to `consumer`'s counts, in the caller's transaction. */
export function countOutcomes(db: SqliteHandle, consumer: string, counts: { handled: number; duplicates: number }, now: number): void {
  db.$client
    .prepare(
      `INSERT INTO consumer_stats (consumer, handled, duplicates, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (consumer) DO UPDATE SET handled = handled + excluded.handled, duplicates = duplicates + excluded.duplicates, updated_at = excluded.updated_at`,
    )
    .run(consumer, counts.handled, counts.duplicates, now);
}
