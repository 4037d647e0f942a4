import { fileURLToPath } from 'node:url';
import { defineService } from '@jetsaga/messaging';
import { transferQueries } from './queries.js';
import { react, transferMessages, transferTimers } from './react.js';
import * as schema from './schema.js';
import { transferSettings } from './settings.js';
import { loadState, saveChanges } from './store.js';

/** Transfer: owns transfers; starts the saga, confirms it once both banks' tries held, fails it on a refusal or its deadline. */
export const transferService = defineService({
  name: 'transfer',
  partitionBy: 'saga',
  partitionKeys: { transfers: 'transfer_id' },
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  messages: transferMessages,
  timers: transferTimers,
  settings: transferSettings,
  load: loadState,
  react,
  save: saveChanges,
  queries: transferQueries,
});
