import { fileURLToPath } from 'node:url';
import { defineService } from '@jetsaga/messaging';
import { loyaltyQueries } from './queries.js';
import { loyaltyMessages, react } from './react.js';
import * as schema from './schema.js';
import { loyaltySettings } from './settings.js';
import { loadState, saveChanges } from './store.js';

/** Loyalty: owns points; pending on payment, confirmed with the order, reverted on cancel or refund. */
export const loyaltyService = defineService({
  name: 'loyalty',
  partitionBy: 'key',
  partitionKeys: { accounts: 'customer_id', entries: 'customer_id', welcomes: 'customer_id' },
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: loyaltyMessages,
  settings: loyaltySettings,
  load: loadState,
  react,
  save: saveChanges,
  queries: loyaltyQueries,
});
