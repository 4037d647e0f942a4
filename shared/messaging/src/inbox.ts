import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { consumerStats, inbox } from './schema.js';

type Db = Pick<BetterSQLite3Database, 'insert'>;

/**
 * Records that `consumer` handles `eventId`; false when it already did. Call first inside the
 * handler's transaction: the row commits with the work, or not at all.
 */
export function claimInbox(tx: Db, consumer: string, eventId: string, now: number): boolean {
  const result = tx.insert(inbox).values({ consumer, eventId, processedAt: now }).onConflictDoNothing().run();
  return result.changes === 1;
}

/** Counts a handled or duplicate message for `consumer`, in the caller's transaction. */
export function countOutcome(tx: Db, consumer: string, outcome: 'handled' | 'duplicates', now: number): void {
  const column = outcome === 'handled' ? consumerStats.handled : consumerStats.duplicates;
  tx.insert(consumerStats)
    .values({ consumer, [outcome]: 1, updatedAt: now })
    .onConflictDoUpdate({ target: consumerStats.consumer, set: { [outcome]: sql`${column} + 1`, updatedAt: now } })
    .run();
}
