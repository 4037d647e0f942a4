import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@jetsaga/messaging';
import { DeliveryWorker } from './delivery-worker.js';
import { onOrderCancelled } from './reactions/order-cancelled.js';
import { onOrderConfirmed } from './reactions/order-confirmed.js';
import { onOrderRefunded } from './reactions/order-refunded.js';
import * as schema from './schema.js';
import { notificationSettings, senderFromEnv } from './settings.js';

/** Notification: records a notice for each finished order, then delivers it effectively once. */
export const notificationService: ServiceDefinition<typeof schema> = {
  name: 'notification',
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  subscriptions: {
    OrderConfirmed: onOrderConfirmed,
    OrderCancelled: onOrderCancelled,
    OrderRefunded: onOrderRefunded,
  },
  workers: ({ db, log, config }) => [
    new DeliveryWorker({ db: db as never, sender: senderFromEnv(config), log, ...notificationSettings }),
  ],
};
