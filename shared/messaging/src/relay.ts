import { headers as natsHeaders, type JetStreamClient } from 'nats';
import type { ServiceDb } from './db.js';
import type { Logger } from './logger.js';
import type { KitMetrics } from './metrics.js';
import { markOutboxSent, readPendingOutbox, type PendingRow } from './outbox.js';

export interface RelayOptions {
  /** Rows published per round, their PubAcks awaited together (default 256). */
  batchSize?: number;
  /** Polling fallback when no commit wakes the relay (default 1000 ms). */
  pollMs?: number;
  /** Pause after a failed round before the next try (default 500 ms). */
  retryMs?: number;
  publishTimeoutMs?: number;
  metrics?: KitMetrics;
}

/**
 * Publishes outbox rows in order with `Nats-Msg-Id` = event id, and marks them sent once
 * JetStream has acked them. Woken on commit; polls as a fallback. One round at a time.
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly publishTimeoutMs: number;
  private readonly metrics?: KitMetrics;
  /** Rows published and acked since start: for logs and tests. */
  published = 0;

  constructor(
    private readonly db: ServiceDb,
    private readonly js: JetStreamClient,
    private readonly log: Logger,
    options: RelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 256;
    this.pollMs = options.pollMs ?? 1000;
    this.retryMs = options.retryMs ?? 500;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.metrics = options.metrics;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a round now; coalesces with one already running. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops the relay, then publishes until the outbox is empty or `timeoutMs` passes; true when empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    this.stop();
    if (this.running) await this.running;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await this.round()) === 0) return true;
      } catch (err) {
        this.log.warn({ err }, 'outbox flush round failed; retrying');
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
    return false;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), delayMs);
  }

  private async loop(): Promise<void> {
    if (this.running || this.stopped) return;
    let failed = false;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while ((await this.round()) === this.batchSize);
        } catch (err) {
          failed = true;
          this.log.warn({ err }, 'outbox relay round failed; will retry');
        }
      } while (this.again && !failed && !this.stopped);
    })();
    await this.running;
    this.running = null;
    // A wake() between the last round and here set `again`: honour it now.
    if (!this.stopped) this.schedule(failed ? this.retryMs : this.again ? 0 : this.pollMs);
  }

  /** One batch: publish every row, await the acks, mark the acked prefix sent. */
  private async round(): Promise<number> {
    const rows = readPendingOutbox(this.db, this.batchSize);
    if (rows.length === 0) return 0;
    const results = await Promise.allSettled(rows.map((row) => this.publish(row)));
    const firstFailure = results.findIndex((r) => r.status === 'rejected');
    const acked = firstFailure === -1 ? rows : rows.slice(0, firstFailure);
    const now = Date.now();
    markOutboxSent(this.db, acked.map((r) => r.seq), now);
    for (const r of acked) this.metrics?.publishLag.observe((now - r.createdAt) / 1000);
    this.published += acked.length;
    if (firstFailure !== -1) throw (results[firstFailure] as PromiseRejectedResult).reason;
    return rows.length;
  }

  private publish(row: PendingRow) {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(row.headers)) h.set(k, v);
    return this.js.publish(row.subject, row.payload, { msgID: row.eventId, headers: h, timeout: this.publishTimeoutMs });
  }
}
