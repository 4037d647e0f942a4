import { join } from 'node:path';
import { defineSettings, KitError, type SettingsSchema, setting } from '@jetsaga/messaging';
import { JsonLinesFileSender, type NotificationSender, WebhookSender } from './senders.js';

export interface NotificationSettings {
  /** Deliveries tried before a notification is marked FAILED. */
  maxAttempts: number;
  pollMs: number;
  /** JETSAGA_NOTIFY_SENDER=file (JETSAGA_NOTIFY_FILE, default notifications.jsonl in the data dir) or webhook (JETSAGA_NOTIFY_WEBHOOK_URL). */
  sender: { kind: 'file'; file: string | undefined } | { kind: 'webhook'; url: string };
}

export const notificationSettings: SettingsSchema<NotificationSettings> = defineSettings(
  {
    sender: setting.choice('JETSAGA_NOTIFY_SENDER', ['file', 'webhook'], {
      default: 'file',
      deprecated: ['NOTIFY_SENDER'],
      description: 'notification: `file` (JSON lines, `JETSAGA_NOTIFY_FILE`) or `webhook` (`JETSAGA_NOTIFY_WEBHOOK_URL`, POST with `Idempotency-Key`)',
    }),
    file: setting.text('JETSAGA_NOTIFY_FILE', {
      type: 'path',
      deprecated: ['NOTIFY_FILE'],
      defaultDoc: '`<data dir>/notifications.jsonl`',
      description: 'notification: the file sender\'s JSON lines',
    }),
    webhookUrl: setting.url('JETSAGA_NOTIFY_WEBHOOK_URL', {
      deprecated: ['NOTIFY_WEBHOOK_URL'],
      description: 'notification: where the webhook sender POSTs (needed with `JETSAGA_NOTIFY_SENDER=webhook`)',
    }),
    maxAttempts: setting.integer('JETSAGA_NOTIFY_MAX_ATTEMPTS', {
      default: 10,
      min: 1,
      deprecated: ['NOTIFY_MAX_ATTEMPTS'],
      description: 'notification: deliveries tried (with backoff) before a notice is marked FAILED',
    }),
    pollMs: setting.integer('JETSAGA_NOTIFY_POLL_MS', {
      default: 1000,
      min: 10,
      unit: 'ms',
      deprecated: ['NOTIFY_POLL_MS'],
      description: 'notification: longest sleep of the delivery worker (a commit wakes it)',
    }),
  },
  (v): NotificationSettings => {
    if (v.sender === 'file') return { maxAttempts: v.maxAttempts, pollMs: v.pollMs, sender: { kind: 'file', file: v.file } };
    if (!v.webhookUrl) throw new KitError('config', 'JETSAGA_NOTIFY_SENDER=webhook needs JETSAGA_NOTIFY_WEBHOOK_URL');
    return { maxAttempts: v.maxAttempts, pollMs: v.pollMs, sender: { kind: 'webhook', url: v.webhookUrl } };
  },
);

export function createSender(setting: NotificationSettings['sender'], dataDir: string): NotificationSender {
  return setting.kind === 'file' ? new JsonLinesFileSender(setting.file ?? join(dataDir, 'notifications.jsonl')) : new WebhookSender(setting.url);
}
