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

/**
 * Publishes outbox rows in order with `Nats-Msg-Id` = event id, and marks them sent once
 * JetStream has acked them. Woken on commit; polls as a fallback. One round at a time.
 *
 * Rows acked but not yet marked (for up to `markDelayMs`) are not read again: the relay reads
 * after the last row it had acked. Should the process die before the mark, the rows are
 * published again at start; the broker (same Nats-Msg-Id) and the inboxes drop the copies.
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
  /** The last row of the acked prefix: the next round reads after it. */
  private cursor = 0;
  private unmarked: number[] = [];
  /** Rows handed over by the commits that wrote them (see `offer`), not yet published. */
  private fresh: PendingRow[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  /** Rows published and acked since start: for logs and tests. */
  published = 0;

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
    this.loop = new WakeLoop(
      async () => {
        // Again at once while a round was full, or offered rows are left (after a gap).
        for (let n = await this.round(); n === this.batchSize || (n > 0 && this.fresh.length > 0); n = await this.round());
      },
      { pollMs: options.pollMs ?? 1000, retryMs: this.retryMs, onError: (err) => this.log.warn({ err }, 'outbox relay round failed; will retry') },
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Asks for a round now; coalesces with one already running. */
  wake(): void {
    this.loop.wake();
  }

  /** Like wake(), but an idle relay starts its round in this turn of the event loop. */
  wakeNow(): void {
    this.loop.wake({ now: true });
  }

  /**
   * Rows just committed, in seq order, to publish without reading them back; wakes the relay
   * at once. The relay reads the table instead whenever they do not follow its cursor
   * without a gap (rows from before a restart, or written by another path).
   */
  offer(rows: PendingRow[]): void {
    if (rows.length === 0) return;
    // Piling up (the broker is away): let go of them, the table has them.
    if (this.fresh.length > 4 * this.batchSize) this.fresh = [];
    for (const r of rows) this.fresh.push(r);
    this.wakeNow();
  }

  /** Stops the relay, then publishes until the outbox is empty or `timeoutMs` passes; true when empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    await this.loop.stop();
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline) {
        try {
          if ((await this.round()) === 0) return true;
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
    this.fresh = [];
    this.publisher.close();
    this.markNow();
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

  /** The offered rows that follow the cursor without a gap, or null: then the table is read. */
  private takeOffered(): PendingRow[] | null {
    let drop = 0;
    while (drop < this.fresh.length && this.fresh[drop]!.seq <= this.cursor) drop++;
    if (drop > 0) this.fresh.splice(0, drop);
    const first = this.fresh[0];
    if (!first || first.seq !== this.cursor + 1) return null;
    let n = 1;
    while (n < this.fresh.length && n < this.batchSize && this.fresh[n]!.seq === first.seq + n) n++;
    return this.fresh.splice(0, n);
  }

  private async readTable(): Promise<PendingRow[]> {
    const rows = readPendingOutbox(this.db, this.batchSize, this.cursor);
    // Synced after the read: it covers every row read.
    if (rows.length > 0) await this.durable?.();
    return rows;
  }

  /** One batch: publish every row, await the acks, mark the acked prefix sent (soon). */
  private async round(): Promise<number> {
    // Offered rows are published in this turn: with the acks of their batch, in one socket write.
    const rows = this.takeOffered() ?? (await this.readTable());
    if (rows.length === 0) return 0;
    const results = await this.publisher.publishAll(
      rows.map((r) => ({ subject: r.subject, payload: r.payload, msgId: r.eventId, headers: r.headers })),
      this.publishTimeoutMs,
    );
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
    if (firstFailure !== -1) throw (results[firstFailure] as PromiseRejectedResult).reason;
    return rows.length;
  }
}
