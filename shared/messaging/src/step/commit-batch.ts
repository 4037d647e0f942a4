import type { Envelope } from '@jetsaga/events';
import type { KitMetrics } from '../observe/metrics.js';
import type { ServiceDb } from '../sqlite/open-db.js';
import { inTransaction } from '../sqlite/transaction.js';
import { claimInbox, countOutcomes } from './inbox.js';
import { markOutboxSent, type PendingRow } from '../outbound/outbox.js';
import { type Reactor, runStep, type StepResult } from './run-step.js';

export interface BatchItem {
  /** The durable consumer that received it (`<service>-<Type>`): its inbox and counts. */
  consumer: string;
  message: Envelope;
  traceparent: string;
}

/** What one message came to inside its transaction. */
export type Processed = { duplicate: true } | ({ duplicate: false } & StepResult);

export type BatchOutcome = ({ ok: true } & Processed) | { ok: false; error: unknown };


/** One validated message, in the transaction the caller holds open: inbox claim (or duplicate), then the step. */
function processMessage(db: ServiceDb, reactor: Reactor, item: BatchItem, now: Date): Processed {
  const { message } = item;
  if (!claimInbox(db, item.consumer, message.id, now.getTime())) return { duplicate: true };
  const origin = { sagaId: message.sagaId, causationId: message.id, correlationId: message.correlationId ?? message.id, traceparent: item.traceparent };
  return { duplicate: false, ...runStep(db, reactor, message, { step: item.consumer, origin, now }) };
}

/** A message of the batch threw on the first pass, which has no savepoints: the batch runs again with them. */
class MessageFailed extends Error {}

/**
 * The messages in one SQLite transaction, each undone alone if its reaction throws, the
 * consumers' counts, and the outbox rows `sent` (acked by the broker) marked sent. Throws,
 * having stored nothing, when the transaction itself fails.
 *
 * A savepoint per message costs about a tenth of the batch's SQLite time, and reactions
 * rarely throw: the first pass runs without them. If a message throws, that pass is rolled
 * back whole and the batch runs again, each message in its own savepoint. Running a message
 * twice is safe: a step only reads and writes this transaction (reactions are pure).
 */
export function commitBatch(db: ServiceDb, reactor: Reactor, items: BatchItem[], sent: number[] = []): BatchOutcome[] {
  try {
    return inTransaction(db, () => runBatch(db, reactor, items, sent, false));
  } catch (err) {
    if (!(err instanceof MessageFailed)) throw err;
  }
  return inTransaction(db, () => runBatch(db, reactor, items, sent, true));
}

function runBatch(db: ServiceDb, reactor: Reactor, items: BatchItem[], sent: number[], savepoints: boolean): BatchOutcome[] {
  const now = new Date();
  markOutboxSent(db, sent, now.getTime());
  const outcomes: BatchOutcome[] = [];
  for (const item of items) {
    // An error SQLite answers by rolling back the whole transaction (disk full, I/O)
    // leaves nothing to add to: fail the batch rather than run the rest unprotected.
    if (!db.$client.inTransaction) throw new Error('the batch transaction was rolled back by SQLite');
    try {
      // The first pass calls the step directly: no closure per message where no savepoint needs one.
      const processed = savepoints ? inTransaction(db, () => processMessage(db, reactor, item, now)) : processMessage(db, reactor, item, now);
      outcomes.push({ ok: true, ...processed });
    } catch (error) {
      if (!savepoints) throw new MessageFailed('a message of the batch threw', { cause: error });
      outcomes.push({ ok: false, error });
    }
  }
  countBatch(db, items, outcomes, now.getTime());
  return outcomes;
}

/** One row update per consumer of the batch, in its transaction. */
function countBatch(db: ServiceDb, items: BatchItem[], outcomes: BatchOutcome[], now: number): void {
  const counts = new Map<string, { handled: number; duplicates: number }>();
  items.forEach((item, i) => {
    const o = outcomes[i]!;
    if (!o.ok) return;
    const c = counts.get(item.consumer) ?? { handled: 0, duplicates: 0 };
    if (o.duplicate) c.duplicates++;
    else c.handled++;
    counts.set(item.consumer, c);
  });
  for (const [consumer, c] of counts) countOutcomes(db, consumer, c, now);
}

export interface BatchWriterOptions {
  /** Most messages in one transaction (default 256). */
  maxBatch?: number;
  metrics?: KitMetrics;
  /**
   * Resolves once a commit is on disk (`WalSync.sync`, synchronous=FULL): the batch's
   * messages are settled (acked) and its rows handed to the relay only then.
   */
  durable?: () => Promise<void>;
  /** Acked outbox rows to mark sent in the batch's transaction (the relay's); given back if it fails. */
  sentRows?: { take(): number[]; giveBack(seqs: number[]): void };
  /** After a commit: the outbox rows it wrote, in order, and the due time of the earliest timer it armed. */
  onCommit(what: { emitted: PendingRow[]; armedDueAt?: number }): void;
}

interface Job extends BatchItem {
  resolve(outcome: Processed): void;
  reject(error: unknown): void;
}

/**
 * Commits every message submitted in one turn of the event loop together (commitBatch). A
 * message's promise settles after the commit, so it is acked only once its work is durable.
 * Under load the batches grow by themselves. A message alone (the last commit held one, and
 * no consumer holds more) does not wait for the next turn: it commits once the messages
 * already delivered in this turn have been submitted.
 */
export class BatchWriter {
  private queue: Job[] = [];
  private scheduled = false;
  /** Wait for the next turn of the event loop before committing: more messages are coming. */
  private waitTurn = false;
  private lastBatch = 0;
  private readonly maxBatch: number;
  /** Transactions committed and messages in them: for metrics and tests. */
  readonly stats = { batches: 0, messages: 0 };

  constructor(
    private readonly db: ServiceDb,
    private readonly reactor: Reactor,
    private readonly options: BatchWriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 256;
  }

  /** `more`: the submitting consumer already holds further messages. */
  submit(item: BatchItem, more = false): Promise<Processed> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      if (more) this.waitTurn = true;
      if (!this.scheduled) {
        this.scheduled = true;
        // After the microtasks queued so far: the messages parsed from the same socket read
        // reach submit() in them.
        queueMicrotask(() => (this.waitTurn || this.lastBatch > 1 ? setImmediate(() => this.flush()) : this.flush()));
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    this.waitTurn = false;
    this.lastBatch = this.queue.length;
    while (this.queue.length > 0) this.commit(this.queue.splice(0, this.maxBatch));
  }

  private commit(jobs: Job[]): void {
    let outcomes: BatchOutcome[];
    const sent = this.options.sentRows?.take() ?? [];
    try {
      outcomes = commitBatch(this.db, this.reactor, jobs, sent);
    } catch (error) {
      this.options.sentRows?.giveBack(sent);
      // Nothing of the batch is stored: every message fails and is retried.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.messages += jobs.length;
    this.options.metrics?.batchMessages.observe(jobs.length);
    if (!this.options.durable) return this.settle(jobs, outcomes);
    this.options
      .durable()
      .then(
        () => this.settle(jobs, outcomes),
        // Committed but maybe not on disk: not acked, so redelivered (and dropped by the inbox if it survived).
        (error: unknown) => {
          for (const job of jobs) job.reject(error);
        },
      )
      // A throw in settle is a kit bug: let it crash the process, as it would without the wait.
      .catch((err: unknown) =>
        setImmediate(() => {
          throw err;
        }),
      );
  }

  /** Settles each message with its outcome, then tells what the commit wrote. */
  private settle(jobs: Job[], outcomes: BatchOutcome[]): void {
    const emitted: PendingRow[] = [];
    let armedDueAt: number | undefined;
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return job.reject(o.error);
      if (!o.duplicate) {
        emitted.push(...o.rows);
        if (o.armedDueAt !== undefined) armedDueAt = Math.min(armedDueAt ?? Infinity, o.armedDueAt);
        this.options.metrics?.countEmitted(o.drafts);
      }
      job.resolve(o);
    });
    this.options.onCommit({ emitted, armedDueAt });
  }
}
