import { join } from 'node:path';
import { intFromEnv, KitError } from '@jetsaga/messaging';
import { JsonLinesFileSender, type NotificationSender, WebhookSender } from './senders.js';

export interface NotificationSettings {
  /** Deliveries tried before a notification is marked FAILED. */
  maxAttempts: number;
  pollMs: number;
  /** NOTIFY_SENDER=file (NOTIFY_FILE, default notifications.jsonl in the data dir) or webhook (NOTIFY_WEBHOOK_URL). */
  sender: { kind: 'file'; file: string | undefined } | { kind: 'webhook'; url: string };
}

export function notificationSettings(env: NodeJS.ProcessEnv): NotificationSettings {
  return { maxAttempts: intFromEnv('NOTIFY_MAX_ATTEMPTS', 10, 1, env), pollMs: intFromEnv('NOTIFY_POLL_MS', 1000, 10, env), sender: senderSetting(env) };
}

function senderSetting(env: NodeJS.ProcessEnv): NotificationSettings['sender'] {
  const kind = env.NOTIFY_SENDER ?? 'file';
  if (kind === 'file') return { kind, file: env.NOTIFY_FILE };
  if (kind === 'webhook') {
    if (!env.NOTIFY_WEBHOOK_URL) throw new KitError('config', 'NOTIFY_SENDER=webhook needs NOTIFY_WEBHOOK_URL');
    return { kind, url: env.NOTIFY_WEBHOOK_URL };
  }
  throw new KitError('config', `NOTIFY_SENDER must be file or webhook, not "${kind}"`);
}

export function createSender(setting: NotificationSettings['sender'], dataDir: string): NotificationSender {
  return setting.kind === 'file' ? new JsonLinesFileSender(setting.file ?? join(dataDir, 'notifications.jsonl')) : new WebhookSender(setting.url);
}
