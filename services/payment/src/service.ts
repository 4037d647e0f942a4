import { fileURLToPath } from 'node:url';
import { defineService } from '@jetsaga/messaging';
import { paymentMessages, react } from './react.js';
import * as schema from './schema.js';
import { loadState, saveChanges } from './store.js';

/** Payment: owns wallets and payments; charges an order once stock is held, refunds it if cancelled. */
export const paymentService = defineService({
  name: 'payment',
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: paymentMessages,
  settings: () => ({}),
  load: loadState,
  react,
  save: saveChanges,
});
