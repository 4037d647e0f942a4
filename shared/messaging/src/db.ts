import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Synchronous = 'OFF' | 'NORMAL' | 'FULL';
export type ServiceDb<S extends Record<string, unknown> = Record<string, unknown>> = BetterSQLite3Database<S> & {
  $client: Database.Database;
};

export interface OpenDbOptions<S extends Record<string, unknown>> {
  path: string;
  schema: S;
  migrationsFolder: string;
  /**
   * SQLite `synchronous` in WAL mode: NORMAL (default) may lose the last commits on power
   * loss but never corrupts; FULL fsyncs every commit.
   */
  synchronous?: Synchronous;
}

/** Opens (creating if needed) a service's SQLite file in WAL mode and applies its migrations. */
export function openServiceDb<S extends Record<string, unknown>>(options: OpenDbOptions<S>): ServiceDb<S> {
  mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new Database(options.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema: options.schema }) as ServiceDb<S>;
  migrate(db, { migrationsFolder: options.migrationsFolder });
  return db;
}

export function parseSynchronous(value: string | undefined): Synchronous {
  const v = (value ?? 'NORMAL').toUpperCase();
  if (v === 'OFF' || v === 'NORMAL' || v === 'FULL') return v;
  throw new Error(`SQLITE_SYNCHRONOUS must be OFF, NORMAL or FULL, not "${value}"`);
}
