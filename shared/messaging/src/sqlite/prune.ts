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
 * outbox row is never deleted, however old. The retention must outlast every retry and
 * re-drive: the inbox, not the broker's short window, is what drops a late duplicate.
 */
export function pruneHousekeeping(db: Db, cutoff: number): Pruned {
  return {
    inbox: db.delete(inbox).where(lt(inbox.processedAt, cutoff)).run().changes,
    outbox: db.delete(outbox).where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, cutoff))).run().changes,
    timers: db.delete(timers).where(and(isNotNull(timers.firedAt), lt(timers.firedAt, cutoff))).run().changes,
    // In id order, up to the first step newer than the cutoff: the step log has no index on
    // created_at (one b-tree fewer to write per step), and ids grow with it.
    steps: db
      .delete(stepLog)
      .where(lt(stepLog.id, sql`coalesce((SELECT id FROM step_log WHERE created_at >= ${cutoff} ORDER BY id LIMIT 1), (SELECT coalesce(max(id), 0) + 1 FROM step_log))`))
      .run().changes,
  };
}
