import { fileURLToPath } from 'node:url';
import { defineService } from '@jetsaga/messaging';
import { DeliveryWorker } from './delivery-worker.js';
import { notificationQueries } from './queries.js';
import { notificationMessages, react } from './react.js';
import * as schema from './schema.js';
import { createSender, notificationSettings } from './settings.js';
import { loadState, saveChanges } from './store.js';

/** Notification: records a notice for each finished order, then delivers it effectively once. */
export const notificationService = defineService({
  name: 'notification',
  partitionBy: 'saga',
  partitionKeys: { notifications: 'coalesce(order_id, customer_id)' },
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: notificationMessages,
  settings: notificationSettings,
  load: loadState,
  react,
  save: saveChanges,
  queries: notificationQueries,
  workers: ({ db, log, config, settings }) => [
    new DeliveryWorker({ db: db as never, sender: createSender(settings.sender, config.dataDir), log, maxAttempts: settings.maxAttempts, pollMs: settings.pollMs }),
  ],
});
