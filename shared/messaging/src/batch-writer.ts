import type { Envelope } from '@jetsaga/events';
import type { ServiceDb } from './db.js';
import type { KitMetrics } from './metrics.js';
import { countEmitted, type ProcessDeps, type Processed, processInTransaction } from './handle-message.js';
import { countOutcomes } from './inbox.js';

export interface BatchItem {
  deps: ProcessDeps;
  message: Envelope;
  opts: { delivery: number; traceparent: string };
}

export type BatchOutcome = ({ ok: true } & Processed) | { ok: false; error: unknown };

interface Job extends BatchItem {
  resolve(emitted: string[] | 'duplicate'): void;
  reject(error: unknown): void;
}

// better-sqlite3 runs a transaction function called inside another as a savepoint.
const transactions = new WeakMap<object, <T>(work: () => T) => T>();
function inTransaction<T>(db: ServiceDb, work: () => T): T {
  let run = transactions.get(db.$client);
  if (!run) {
    run = db.$client.transaction((w: () => unknown) => w()) as <U>(work: () => U) => U;
    transactions.set(db.$client, run);
  }
  return run(work);
}

/**
 * The messages in one SQLite transaction, each in its own savepoint (a reaction that throws
 * undoes only its message), and the consumers' counts. Throws, having stored nothing, when
 * the transaction itself fails.
 */
export function commitBatch(db: ServiceDb, items: BatchItem[]): BatchOutcome[] {
  return inTransaction(db, () => {
    const outcomes: BatchOutcome[] = [];
    for (const item of items) {
      // An error SQLite answers by rolling back the whole transaction (disk full, I/O)
      // leaves nothing to add to: fail the batch rather than run the rest unprotected.
      if (!db.$client.inTransaction) throw new Error('the batch transaction was rolled back by SQLite');
      try {
        outcomes.push({ ok: true, ...inTransaction(db, () => processInTransaction(item.deps, item.message, item.opts)) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    countBatch(db, items, outcomes);
    return outcomes;
  });
}

/** One row update per consumer of the batch, in its transaction. */
function countBatch(db: ServiceDb, items: BatchItem[], outcomes: BatchOutcome[]): void {
  const counts = new Map<string, { handled: number; duplicates: number }>();
  items.forEach((item, i) => {
    const o = outcomes[i]!;
    if (!o.ok) return;
    const c = counts.get(item.deps.consumer) ?? { handled: 0, duplicates: 0 };
    if (o.emitted === 'duplicate') c.duplicates++;
    else c.handled++;
    counts.set(item.deps.consumer, c);
  });
  const now = Date.now();
  for (const [consumer, c] of counts) countOutcomes(db, consumer, c, now);
}

export interface BatchWriterOptions {
  /** Most messages in one transaction (default 256). */
  maxBatch?: number;
  metrics?: KitMetrics;
  /** After a commit: did it write outbox rows, and the due time of the earliest timer it armed. */
  onCommit(what: { emitted: boolean; armedDueAt?: number }): void;
}

/**
 * Commits every message submitted in one turn of the event loop together (commitBatch). A
 * message's promise settles after the commit, so it is acked only once its work is durable.
 * Under load the batches grow by themselves; alone, a message waits one turn.
 */
export class BatchWriter {
  private queue: Job[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  /** Transactions committed and messages in them: for metrics and tests. */
  readonly stats = { batches: 0, messages: 0 };

  constructor(
    private readonly db: ServiceDb,
    private readonly options: BatchWriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 256;
  }

  submit(deps: ProcessDeps, message: Envelope, opts: Job['opts']): Promise<string[] | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.queue.push({ deps, message, opts, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) this.commit(this.queue.splice(0, this.maxBatch));
  }

  private commit(jobs: Job[]): void {
    let outcomes: BatchOutcome[];
    try {
      outcomes = commitBatch(this.db, jobs);
    } catch (error) {
      // Nothing of the batch is stored: every message fails and is retried.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.messages += jobs.length;
    this.options.metrics?.batchMessages.observe(jobs.length);
    let emitted = false;
    let armedDueAt: number | undefined;
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return job.reject(o.error);
      if (o.emitted !== 'duplicate') {
        emitted ||= o.emitted.length > 0;
        if (o.armedDueAt !== undefined) armedDueAt = Math.min(armedDueAt ?? Infinity, o.armedDueAt);
        countEmitted(job.deps.metrics, o.drafts);
      }
      job.resolve(o.emitted);
    });
    this.options.onCommit({ emitted, armedDueAt });
  }
}
