import { fileURLToPath } from 'node:url';
import { instanceName } from '@jetsaga/events';
import { defineService } from '@jetsaga/messaging';
import { bankQueries } from './queries.js';
import { bankMessages, react } from './react.js';
import * as schema from './schema.js';
import { bankSettings } from './settings.js';
import { loadState, saveChanges } from './store.js';

/**
 * Bank `bankId`, run once per bank as the service `bank-<bankId>`: owns its accounts, their
 * freezes (a transfer's source) and pending credits (its destination). One definition, many
 * names: each instance has its own db, subjects, consumers and broker identity.
 */
export function bankService(bankId: string) {
  return defineService({
    name: instanceName('bank', bankId),
    schema,
    migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
    messages: bankMessages,
    settings: bankSettings(bankId),
    // It holds money: an fsync per commit, so a power cut loses no acknowledged deposit or transfer step.
    settingDefaults: { JETSAGA_SQLITE_SYNCHRONOUS: 'FULL' },
    load: loadState,
    react,
    save: saveChanges,
    queries: bankQueries,
  });
}
