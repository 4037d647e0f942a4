import { join } from 'node:path';
import { intFromEnv, KitError, type ServiceConfig } from '@jetsaga/messaging';
import { JsonLinesFileSender, type NotificationSender, WebhookSender } from './senders.js';

/** NOTIFY_SENDER=file (default: NOTIFY_FILE, or notifications.jsonl in the data dir) or webhook (NOTIFY_WEBHOOK_URL). */
export function senderFromEnv(config: ServiceConfig, env: NodeJS.ProcessEnv = process.env): NotificationSender {
  const kind = env.NOTIFY_SENDER ?? 'file';
  if (kind === 'file') return new JsonLinesFileSender(env.NOTIFY_FILE ?? join(config.dataDir, 'notifications.jsonl'));
  if (kind === 'webhook') {
    if (!env.NOTIFY_WEBHOOK_URL) throw new KitError('config', 'NOTIFY_SENDER=webhook needs NOTIFY_WEBHOOK_URL');
    return new WebhookSender(env.NOTIFY_WEBHOOK_URL);
  }
  throw new KitError('config', `NOTIFY_SENDER must be file or webhook, not "${kind}"`);
}

export const notificationSettings = {
  /** Deliveries tried before a notification is marked FAILED. */
  maxAttempts: intFromEnv('NOTIFY_MAX_ATTEMPTS', 10, 1),
  pollMs: intFromEnv('NOTIFY_POLL_MS', 1000, 10),
};
