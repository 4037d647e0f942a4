import { fileURLToPath } from 'node:url';
import { defineService, defineSettings } from '@jetsaga/messaging';
import { paymentQueries } from './queries.js';
import { paymentMessages, react } from './react.js';
import * as schema from './schema.js';
import { loadState, saveChanges } from './store.js';

/** Payment: owns wallets and payments; charges an order once stock is held, refunds it if cancelled. */
export const paymentService = defineService({
  name: 'payment',
  partitionBy: 'key',
  partitionKeys: { wallets: 'customer_id', payments: 'customer_id' },
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: paymentMessages,
  settings: defineSettings({}),
  // It holds money: an fsync per commit, so a power cut loses no acknowledged charge or refund.
  settingDefaults: { JETSAGA_SQLITE_SYNCHRONOUS: 'FULL' },
  load: loadState,
  react,
  save: saveChanges,
  queries: paymentQueries,
});
