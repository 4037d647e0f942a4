import { fileURLToPath } from 'node:url';
import { defineService } from '@jetsaga/messaging';
import { inventoryQueries } from './queries.js';
import { inventoryMessages, inventoryPartitionBy, inventoryPartitionMessages, inventoryTakes, inventoryTimers, react } from './react.js';
import * as schema from './schema.js';
import { inventorySettings } from './settings.js';
import { loadState, saveChanges } from './store.js';

/** Inventory: owns stock and reservations (try = hold, confirm = commit, cancel = release). */
export const inventoryService = defineService({
  name: 'inventory',
  partitionBy: inventoryPartitionBy,
  partitionTakes: inventoryTakes,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: inventoryMessages,
  partitionMessages: inventoryPartitionMessages,
  timers: inventoryTimers,
  settings: inventorySettings,
  load: loadState,
  react,
  save: saveChanges,
  queries: inventoryQueries,
});
