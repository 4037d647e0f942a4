import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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

/**
 * The kit's own migrations (its tables: outbox, inbox, timers, step_log, consumer_stats),
 * tracked apart from the service's. Found through the package, not this file's location:
 * a bundled service has its own `import.meta.url`.
 */
export const kitMigrationsFolder = join(dirname(createRequire(import.meta.url).resolve('@jetsaga/messaging/package.json')), 'drizzle');
export const KIT_MIGRATIONS_TABLE = '__jetsaga_kit_migrations';

/** Opens (creating if needed) a service's SQLite file in WAL mode: the kit's migrations, then the service's. */
export function openServiceDb<S extends Record<string, unknown>>(options: OpenDbOptions<S>): ServiceDb<S> {
  mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new Database(options.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  // Savepoints (a batch run again after a throw has one per message) spill their
  // sub-journal past 64 KiB to a temp file, created, written and unlinked per commit. In
  // memory it is a copy, and nothing durable depends on it (a rollback to a savepoint
  // happens within the transaction).
  sqlite.pragma('temp_store = MEMORY');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema: options.schema }) as ServiceDb<S>;
  // Off while migrating (better-sqlite3 turns them on by default), as SQLite's way to rebuild a
  // table asks: a parent table is dropped before its copy takes its name. Drizzle runs each
  // migration in a transaction, where the pragma does nothing. Checked once they are done.
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder: kitMigrationsFolder, migrationsTable: KIT_MIGRATIONS_TABLE });
    migrate(db, { migrationsFolder: options.migrationsFolder });
    const broken = sqlite.pragma('foreign_key_check') as { table: string; parent: string }[];
    if (broken.length > 0) throw new Error(`${options.path}: after its migrations, ${broken.length} rows break a foreign key (first: ${broken[0]!.table} -> ${broken[0]!.parent})`);
  } catch (err) {
    sqlite.close();
    throw err;
  }
  sqlite.pragma('foreign_keys = ON');
  // A migration that rebuilds tables writes them all to the WAL (773 MB for an order db of 1 GB),
  // and a WAL file does not shrink by itself: copy it into the db and truncate it before work starts.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return db;
}

const statementCacheSize = 512;

/**
 * Drizzle prepares every query it runs anew, and preparing costs more than running a small
 * query. Same SQL text, same statement: keep the last `statementCacheSize` of them. A cached
 * statement may have been left in raw mode by drizzle, so it is handed out in object mode
 * (drizzle sets raw mode again where it wants it).
 */
function cacheStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source);
      if (stmt.reader) stmt.raw(false);
    } else {
      stmt = prepare(source);
      if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, stmt);
    return stmt;
  }) as typeof sqlite.prepare;
}
