import type { SqliteHandle } from '../sqlite/sqlite-handle.js';

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
export function logStep(db: SqliteHandle, r: StepRecord, now: number): void {
  db.$client
    .prepare('INSERT INTO step_log (saga_id, step, operation, status, event_in, events_out, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(r.sagaId, r.step, r.operation, r.status, r.eventIn, JSON.stringify(r.eventsOut), r.error?.slice(0, 2000) ?? null, now, now);
}
