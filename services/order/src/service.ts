import { fileURLToPath } from 'node:url';
import { defineService } from '@jetsaga/messaging';
import { orderQueries } from './queries.js';
import { orderMessages, orderTimers, react } from './react.js';
import * as schema from './schema.js';
import { orderSettings } from './settings.js';
import { loadState, saveChanges } from './store.js';

/** Order: owns orders, starts the saga, confirms or cancels it, enforces its deadline, runs refunds. */
export const orderService = defineService({
  name: 'order',
  partitionBy: 'saga',
  partitionKeys: { orders: 'order_id' },
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: orderMessages,
  timers: orderTimers,
  settings: orderSettings,
  load: loadState,
  react,
  save: saveChanges,
  queries: orderQueries,
});
