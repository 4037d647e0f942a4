import { defaultRetryPolicy, type Logger, retryDelayMs, type ServiceDb, WakeLoop, type Worker } from '@jetsaga/messaging';
import type * as schema from './schema.js';
import type { NotificationSender } from './senders.js';
import type { Notification } from './decide.js';
import { dueNotifications, markAllSent, markAttemptFailed, markSent } from './store.js';

export interface DeliveryOptions {
  db: ServiceDb<typeof schema>;
  sender: NotificationSender;
  log: Logger;
  maxAttempts: number;
  pollMs: number;
}

/**
 * Delivers PENDING notifications through the sender, oldest first: all due at once when the
 * sender can batch (one write, one transaction to mark them), else one at a time, and one at
 * a time again after a batch fails. A failure is retried with backoff, and after
 * `maxAttempts` the notification is marked FAILED.
 */
export class DeliveryWorker implements Worker {
  private readonly loop: WakeLoop;

  constructor(private readonly options: DeliveryOptions) {
    this.loop = new WakeLoop(() => this.deliverDue(), {
      pollMs: options.pollMs,
      onError: (err) => options.log.error({ err }, 'notification delivery round failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async deliverDue(): Promise<void> {
    const { db, sender } = this.options;
    const due = dueNotifications(db, Date.now(), 100);
    if (due.length > 1 && sender.sendAll) {
      try {
        await sender.sendAll(due);
        markAllSent(db, due.map((n) => n.id), Date.now());
        return;
      } catch (err) {
        this.options.log.warn({ err, notifications: due.length }, 'batch delivery failed; delivering one at a time');
      }
    }
    await this.deliverOneByOne(due);
  }

  private async deliverOneByOne(due: (Notification & { attempts: number })[]): Promise<void> {
    const { db, sender, log, maxAttempts } = this.options;
    for (const n of due) {
      if (this.loop.stopped) return;
      try {
        await sender.send(n);
        markSent(db, n.id, Date.now());
      } catch (err) {
        const attempts = n.attempts + 1;
        const giveUp = attempts >= maxAttempts;
        const next = giveUp ? null : Date.now() + retryDelayMs(defaultRetryPolicy, attempts);
        markAttemptFailed(db, n.id, attempts, (err as Error).message, next);
        log[giveUp ? 'error' : 'warn']({ err, sagaId: n.orderId ?? n.customerId, notification: n.id, attempts, sender: sender.name }, giveUp ? 'notification failed for good' : 'notification delivery failed; will retry');
      }
    }
  }
}
