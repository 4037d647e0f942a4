import { defaultRetryPolicy, type Logger, retryDelayMs, type ServiceDb, type Worker } from '@jetsaga/messaging';
import type * as schema from './schema.js';
import type { NotificationSender } from './senders.js';
import { dueNotifications, markAttemptFailed, markSent } from './store.js';

export interface DeliveryOptions {
  db: ServiceDb<typeof schema>;
  sender: NotificationSender;
  log: Logger;
  maxAttempts: number;
  pollMs: number;
}

/**
 * Delivers PENDING notifications through the sender, one at a time, oldest first; a failure
 * is retried with backoff, and after `maxAttempts` the notification is marked FAILED.
 */
export class DeliveryWorker implements Worker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly options: DeliveryOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delayMs);
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      do {
        this.again = false;
        await this.deliverDue();
      } while (this.again && !this.stopped);
    })();
    await this.running;
    this.running = null;
    if (!this.stopped) this.schedule(this.options.pollMs);
  }

  private async deliverDue(): Promise<void> {
    const { db, sender, log, maxAttempts } = this.options;
    for (const n of dueNotifications(db, Date.now(), 100)) {
      if (this.stopped) return;
      try {
        await sender.send(n);
        markSent(db, n.id, Date.now());
      } catch (err) {
        const attempts = n.attempts + 1;
        const giveUp = attempts >= maxAttempts;
        const next = giveUp ? null : Date.now() + retryDelayMs(defaultRetryPolicy, attempts);
        markAttemptFailed(db, n.id, attempts, (err as Error).message, next);
        log[giveUp ? 'error' : 'warn']({ err, sagaId: n.orderId, notification: n.id, attempts, sender: sender.name }, giveUp ? 'notification failed for good' : 'notification delivery failed; will retry');
      }
    }
  }
}
