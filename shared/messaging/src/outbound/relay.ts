import type { NatsConnection } from 'nats';
import type { ServiceDb } from '../sqlite/open-db.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import type { Logger } from '../observe/logger.js';
import type { KitMetrics } from '../observe/metrics.js';
import { markOutboxSent, type PendingRow, readPendingOutbox } from './outbox.js';
import { WakeLoop } from './wake-loop.js';

export interface RelayOptions {
  /** Rows published per round, their PubAcks awaited together (default 256). */
  batchSize?: number;
  /** Polling fallback when no commit wakes the relay (default 1000 ms). */
  pollMs?: number;
  /** Pause after a failed round before the next try (default 500 ms). */
  retryMs?: number;
  publishTimeoutMs?: number;
  /**
   * Acked rows are marked sent together at most this long after their PubAck (default 20 ms),
   * in one transaction rather than one per round.
   */
  markDelayMs?: number;
  metrics?: KitMetrics;
  /**
   * Resolves once every commit made so far is on disk (synchronous=FULL, `WalSync.sync`):
   * awaited before publishing rows read from the table, which no commit handed over.
   */
  durable?: () => Promise<void>;
}

/** Rounds whose PubAcks may be awaited at once; the relay waits for the oldest past it. */
const ROUNDS_IN_FLIGHT = 8;

/**
 * Publishes outbox rows in order with `Nats-Msg-Id` = event id, and marks them sent once
 * JetStream has acked them. Woken on commit; polls as a fallback.
 *
 * A round publishes without waiting for the PubAcks of the rounds before it (up to
 * `ROUNDS_IN_FLIGHT`): a commit's events leave in the same socket write as its acks, not
 * one PubAck round trip later. Rounds settle in order; the cursor follows the acked prefix.
 * When a row is refused or times out, or the connection drops (`brokerLost`), nothing more
 * is published until every round in flight has settled, and the next round reads the table
 * after the cursor: rows after the failed one are published again, and the broker (same
 * Nats-Msg-Id) and the inboxes drop the copies. So rows reach the broker in order, except
 * that rows already on their way when one failed may land before its retry.
 *
 * Rows acked but not yet marked (for up to `markDelayMs`) are not read again: the relay reads
 * after the last row it had acked. Should the process die before the mark, the rows are
 * published again at start.
 */
export class OutboxRelay {
  private readonly loop: WakeLoop;
  private readonly batchSize: number;
  private readonly retryMs: number;
  private readonly publishTimeoutMs: number;
  private readonly metrics?: KitMetrics;
  private readonly publisher: JetStreamPublisher;
  private readonly markDelayMs: number;
  private readonly durable?: () => Promise<void>;
  /** The last row of the acked prefix: the table is read after it. */
  private cursor = 0;
  /** The last row handed to the broker (the cursor, or past it while rounds are in flight). */
  private sentUpTo = 0;
  /** Rounds published and not yet settled, oldest first; each settles after the one before. */
  private rounds: Promise<void>[] = [];
  /** Why a round in flight failed: no more rounds until all have settled. */
  private failure: unknown = null;
  /** The table may hold rows no commit handed over (at start, after a failure, on a poll). */
  private needsRead = true;
  /** The table is being read: offered rows wait, they may be among the rows read. */
  private reading = false;
  private unmarked: number[] = [];
  /** Rows handed over by the commits that wrote them (see `offer`), not yet published. */
  private fresh: PendingRow[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  /** Rows published and acked since start: for logs and tests. */
  published = 0;

  /** Rounds published whose PubAcks have not all come back: for tests. */
  get roundsInFlight(): number {
    return this.rounds.length;
  }

  constructor(
    private readonly db: ServiceDb,
    nc: NatsConnection,
    private readonly log: Logger,
    options: RelayOptions = {},
  ) {
    this.publisher = new JetStreamPublisher(nc);
    this.batchSize = options.batchSize ?? 256;
    this.retryMs = options.retryMs ?? 500;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.metrics = options.metrics;
    this.markDelayMs = options.markDelayMs ?? 20;
    this.durable = options.durable;
    this.loop = new WakeLoop((polled) => this.publishPending(polled), {
      pollMs: options.pollMs ?? 1000,
      retryMs: this.retryMs,
      onError: (err) => this.log.warn({ err }, 'outbox relay round failed; will retry'),
    });
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Rows just committed, in seq order, to publish without reading them back; wakes the relay
   * at once. The relay reads the table instead whenever they do not follow the rows it
   * published without a gap (rows from before a restart, or written by another path).
   */
  offer(rows: PendingRow[]): void {
    if (rows.length === 0) return;
    // Piling up (the broker is away): let go of them, the table has them.
    if (this.fresh.length > 4 * this.batchSize) {
      this.fresh = [];
      this.needsRead = true;
    }
    for (const r of rows) this.fresh.push(r);
    // Else the loop does it: an idle one in this turn of the event loop.
    if (!this.publishOffered()) this.loop.wake({ now: true });
  }

  /** Stops the relay, then publishes until the outbox is empty or `timeoutMs` passes; true when empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    await this.loop.stop();
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline) {
        try {
          if ((await this.publishFromTable()) === 0) return true;
          await this.settleAll();
        } catch (err) {
          this.log.warn({ err }, 'outbox flush round failed; retrying');
          await new Promise((r) => setTimeout(r, this.retryMs));
        }
      }
      return false;
    } finally {
      try {
        this.markNow();
      } catch (err) {
        this.log.warn({ err }, 'could not mark outbox rows sent; they are published again at start');
      }
    }
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.settleAll().catch(() => {});
    this.fresh = [];
    this.publisher.close();
    this.markNow();
  }

  /**
   * The connection to the broker dropped: what was in flight may be lost. Nothing more is
   * published until every round in flight has settled; then the table is read from the
   * cursor, so rows are published again in order rather than after later ones.
   */
  brokerLost(): void {
    this.needsRead = true;
  }

  /** Marks every acked row sent now (in one transaction). */
  markNow(): void {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    if (this.unmarked.length === 0) return;
    const seqs = this.unmarked;
    this.unmarked = [];
    try {
      markOutboxSent(this.db, seqs, Date.now());
    } catch (err) {
      this.unmarked = seqs.concat(this.unmarked);
      throw err;
    }
  }

  /**
   * The acked rows not yet marked sent, for a commit to mark in its own transaction (one
   * commit fewer than marking them apart); `giveBackUnmarked` them if that transaction fails.
   */
  takeUnmarked(): number[] {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    const seqs = this.unmarked;
    this.unmarked = [];
    return seqs;
  }

  giveBackUnmarked(seqs: number[]): void {
    if (seqs.length === 0) return;
    this.unmarked = seqs.concat(this.unmarked);
    this.markSoon();
  }

  private markSoon(): void {
    this.markTimer ??= setTimeout(() => {
      this.markTimer = null;
      try {
        this.markNow();
      } catch (err) {
        this.log.warn({ err }, 'could not mark outbox rows sent; will retry');
        this.markSoon();
      }
    }, this.markDelayMs);
  }

  /**
   * Publishes the offered rows in this turn, unless something must come first (the table,
   * a failed round, a full window): then false, and the loop does it.
   */
  private publishOffered(): boolean {
    if (this.loop.stopped || this.reading || this.failure !== null || this.needsRead) return false;
    for (;;) {
      if (this.rounds.length >= ROUNDS_IN_FLIGHT) return false;
      const rows = this.takeOffered();
      if (rows === null) return false;
      if (rows.length === 0) return true;
      this.publish(rows);
    }
  }

  /** A wake or a poll: the offered rows, or the table when it may hold others. */
  private async publishPending(polled: boolean): Promise<void> {
    if (polled) this.needsRead = true;
    for (;;) {
      // Stopping: what is left is flush()'s, within its deadline.
      if (this.loop.stopped || this.publishOffered()) return;
      const windowFull = this.rounds.length >= ROUNDS_IN_FLIGHT && this.failure === null && !this.needsRead;
      if (windowFull) await this.rounds[0];
      else if ((await this.publishFromTable()) === 0) return;
    }
  }

  /**
   * The offered rows that follow the last published row without a gap; [] when none are
   * left, null when the first does not follow (then the table is read).
   */
  private takeOffered(): PendingRow[] | null {
    let drop = 0;
    while (drop < this.fresh.length && this.fresh[drop]!.seq <= this.sentUpTo) drop++;
    if (drop > 0) this.fresh.splice(0, drop);
    const first = this.fresh[0];
    if (!first) return [];
    if (first.seq !== this.sentUpTo + 1) return null;
    let n = 1;
    while (n < this.fresh.length && n < this.batchSize && this.fresh[n]!.seq === first.seq + n) n++;
    return this.fresh.splice(0, n);
  }

  /**
   * Once every round in flight has settled (throwing if one failed), publishes the unsent
   * rows after the acked prefix; how many. Offered rows wait meanwhile.
   */
  private async publishFromTable(): Promise<number> {
    this.reading = true;
    try {
      await this.settleAll();
      const rows = readPendingOutbox(this.db, this.batchSize, this.cursor);
      this.needsRead = rows.length === this.batchSize;
      if (rows.length === 0) return 0;
      // Synced after the read: it covers every row read.
      await this.durable?.();
      this.publish(rows);
      return rows.length;
    } finally {
      this.reading = false;
    }
  }

  /** Waits for every round in flight; if one failed, starts again from the acked prefix and throws why. */
  private async settleAll(): Promise<void> {
    while (this.rounds.length > 0) await this.rounds[this.rounds.length - 1];
    this.sentUpTo = this.cursor;
    if (this.failure === null) return;
    const failure = this.failure;
    this.failure = null;
    this.needsRead = true;
    throw failure;
  }

  /** Publishes one round; it settles, after the rounds before it, in `settle`. */
  private publish(rows: PendingRow[]): void {
    this.sentUpTo = rows[rows.length - 1]!.seq;
    const results = this.publisher.publishAll(
      rows.map((r) => ({ subject: r.subject, payload: r.payload, msgId: r.eventId, headers: r.headers })),
      this.publishTimeoutMs,
    );
    const before = this.rounds[this.rounds.length - 1];
    const round: Promise<void> = Promise.all([before, results]).then(([, settled]) => {
      this.rounds.shift();
      try {
        this.settle(rows, settled);
      } catch (err) {
        this.failure ??= err;
      }
    });
    this.rounds.push(round);
  }

  /** The acked prefix of a round moves the cursor, unless a round before it failed; a refusal stops the rounds. */
  private settle(rows: PendingRow[], results: PromiseSettledResult<unknown>[]): void {
    if (this.failure !== null) return;
    const firstFailure = results.findIndex((r) => r.status === 'rejected');
    const acked = firstFailure === -1 ? rows : rows.slice(0, firstFailure);
    const now = Date.now();
    if (acked.length > 0) {
      this.cursor = acked[acked.length - 1]!.seq;
      for (const r of acked) this.unmarked.push(r.seq);
      this.markSoon();
    }
    for (const r of acked) this.metrics?.publishLag.observe((now - r.createdAt) / 1000);
    this.published += acked.length;
    if (firstFailure === -1) return;
    this.failure = (results[firstFailure] as PromiseRejectedResult).reason;
    // The loop throws it, then retries from the cursor after its pause.
    this.loop.wake();
  }
}
