import { and, isNotNull, lt, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { inbox, outbox, stepLog, timers } from './kit-tables.js';

type Db = Pick<BetterSQLite3Database, 'delete'>;

export interface Pruned {
  inbox: number;
  outbox: number;
  timers: number;
  steps: number;
}

/**
 * Deletes inbox rows, sent outbox rows, fired timers and step log rows older than `cutoff`. An unsent
 * outbox row is never deleted, however old, nor the newest outbox row or step. The retention must outlast every retry and
 * re-drive: the inbox, not the broker's short window, is what drops a late duplicate.
 */
export function pruneHousekeeping(db: Db, cutoff: number): Pruned {
  return {
    inbox: db.delete(inbox).where(lt(inbox.processedAt, cutoff)).run().changes,
    // The newest row stays, however old: new rows take the largest seq + 1 (no AUTOINCREMENT),
    // and the relay reads after the last seq it published.
    outbox: db.delete(outbox).where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, cutoff), lt(outbox.seq, sql`(SELECT max(seq) FROM outbox)`))).run().changes,
    timers: db.delete(timers).where(and(isNotNull(timers.firedAt), lt(timers.firedAt, cutoff))).run().changes,
    // In id order, up to the first step newer than the cutoff: the step log has no index on
    // created_at (one b-tree fewer to write per step), and ids grow with it. The newest step
    // stays, as the outbox's newest row.
    steps: db
      .delete(stepLog)
      .where(lt(stepLog.id, sql`coalesce((SELECT id FROM step_log WHERE created_at >= ${cutoff} ORDER BY id LIMIT 1), (SELECT max(id) FROM step_log))`))
      .run().changes,
  };
}
