import type { SqliteHandle } from './sqlite-handle.js';

/**
 * Records that `consumer` handles `eventId`; false when it already did. Call first inside the
 * handler's transaction: the row commits with the work, or not at all.
 */
export function claimInbox(db: SqliteHandle, consumer: string, eventId: string, now: number): boolean {
  return db.$client.prepare('INSERT INTO inbox (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(consumer, eventId, now).changes === 1;
}

/** Counts a handled or duplicate message for `consumer`, in the caller's transaction. */
export function countOutcome(db: SqliteHandle, consumer: string, outcome: 'handled' | 'duplicates', now: number): void {
  const handled = outcome === 'handled' ? 1 : 0;
  db.$client
    .prepare(
      `INSERT INTO consumer_stats (consumer, handled, duplicates, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (consumer) DO UPDATE SET handled = handled + excluded.handled, duplicates = duplicates + excluded.duplicates, updated_at = excluded.updated_at`,
    )
    .run(consumer, handled, 1 - handled, now);
}
