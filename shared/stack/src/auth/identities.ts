import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from 'nats';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { adminPermissions, consolePermissions, operatorPermissions, type Permissions, servicePermissions } from './permissions.js';

export interface Identity {
  name: string;
  /** nkey public key (`U...`): what the server config names. */
  publicKey: string;
  /** File holding the nkey seed (`SU...`), mode 0600: what the client reads (NATS_NKEY). */
  seedFile: string;
  permissions: Permissions;
}

/** Everyone who connects to the stack's broker: admin, operator, the web console, and one identity per service. */
export function identityPermissions(services: readonly AnyServiceDefinition[], partitions = 1): Record<string, Permissions> {
  return {
    admin: adminPermissions(),
    operator: operatorPermissions(services, 'operator', partitions),
    console: consolePermissions(services, 'console', partitions),
    ...Object.fromEntries(services.map((def) => [def.name, servicePermissions(def, partitions)])),
  };
}

/**
 * The nkeys of every identity in `dir` (`<name>.nk`), made on first use and kept: a restart
 * keeps its keys. Rotate one by deleting its file and restarting the stack.
 */
export function ensureIdentities(dir: string, permissions: Record<string, Permissions>): Identity[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return Object.entries(permissions).map(([name, perms]) => {
    const seedFile = join(dir, `${name}.nk`);
    if (!existsSync(seedFile)) {
      writeFileSync(seedFile, `${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`, { mode: 0o600 });
    }
    chmodSync(seedFile, 0o600);
    const publicKey = nkeys.fromSeed(new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())).getPublicKey();
    return { name, publicKey, seedFile, permissions: perms };
  });
}
