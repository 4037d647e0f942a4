import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { stepLog } from './schema.js';

type Db = Pick<BetterSQLite3Database, 'insert'>;

export interface StepRecord {
  sagaId: string | null;
  step: string;
  operation: string;
  status: 'done' | 'failed' | 'dead_lettered';
  eventIn: string | null;
  eventsOut: string[];
  error?: string;
}

/** Appends a step to the saga log (in the step's own transaction when it succeeded). */
export function logStep(db: Db, r: StepRecord, now: number): void {
  db.insert(stepLog)
    .values({ ...r, eventsOut: JSON.stringify(r.eventsOut), error: r.error?.slice(0, 2000) ?? null, createdAt: now, updatedAt: now })
    .run();
}
