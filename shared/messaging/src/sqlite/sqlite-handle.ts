import type Database from 'better-sqlite3';

/**
 * What the kit's hot path needs of a service db (or of the handle a reaction gets inside its
 * transaction): the better-sqlite3 connection. Its `prepare` is cached by SQL text (see open-db.ts),
 * so the kit writes its few fixed statements by hand instead of building them per message.
 */
export interface SqliteHandle {
  $client: Database.Database;
}
