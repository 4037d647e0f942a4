import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { inbox } from './schema.js';

type Db = Pick<BetterSQLite3Database, 'insert'>;

/**
 * Records that `consumer` handles `eventId`; false when it already did. Call first inside the
 * handler's transaction: the row commits with the work, or not at all.
 */
export function claimInbox(tx: Db, consumer: string, eventId: string, now: number): boolean {
  const result = tx.insert(inbox).values({ consumer, eventId, processedAt: now }).onConflictDoNothing().run();
  return result.changes === 1;
}
