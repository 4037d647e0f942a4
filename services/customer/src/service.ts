import { fileURLToPath } from 'node:url';
import { defineService, defineSettings } from '@jetsaga/messaging';
import { customerQueries } from './queries.js';
import { customerMessages, react } from './react.js';
import * as schema from './schema.js';
import { loadState, saveChanges } from './store.js';

/** Customer: owns registrations; a new customer's CustomerRegistered starts the welcome (points, notice). */
export const customerService = defineService({
  name: 'customer',
  partitionBy: 'saga',
  partitionKeys: { customers: 'customer_id' },
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: customerMessages,
  settings: defineSettings({}),
  load: loadState,
  react,
  save: saveChanges,
  queries: customerQueries,
});
