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
  partitionKeys: {
    stock: 'sku',
    prices: 'sku',
    reservation_lines: 'sku',
    hold_transfers: 'sku',
    reservation_parts: 'order_id',
    // a hold lives where its skus do (each copy keeps its own lines); one with none where its order id does
    reservations: "coalesce((SELECT group_concat(l.sku) FROM reservation_lines l WHERE l.order_id = reservations.order_id), order_id)",
  },
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
