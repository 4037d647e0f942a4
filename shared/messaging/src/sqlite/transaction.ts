import type { SqliteHandle } from './sqlite-handle.js';

// One transaction function per connection, made once. better-sqlite3 runs it as a savepoint
// when called inside another transaction.
const transactions = new WeakMap<object, <T>(work: () => T) => T>();

/** Runs `work` in a transaction of `db` (a savepoint inside one already open): all of it or nothing. */
export function inTransaction<T>(db: SqliteHandle, work: () => T): T {
  let run = transactions.get(db.$client);
  if (!run) {
    run = db.$client.transaction((w: () => unknown) => w()) as <U>(work: () => U) => U;
    transactions.set(db.$client, run);
  }
  return run(work);
}
