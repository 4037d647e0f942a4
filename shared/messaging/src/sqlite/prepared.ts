import { sql } from 'drizzle-orm';

/**
 * A drizzle query built once per db and reused: drizzle otherwise rebuilds the SQL of every
 * query it runs, which costs more than running it. Build with `placeholder('name')` for the
 * values, then `.get({ name })`, `.all(...)` or `.run(...)`.
 */
export function preparedQuery<D extends object, Q>(build: (db: D) => Q): (db: D) => Q {
  const cache = new WeakMap<D, Q>();
  return (db) => {
    let query = cache.get(db);
    if (!query) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}

export const placeholder = sql.placeholder;

/** In an upsert's `set`, the value the insert tried to write to `column`. */
export function excluded(column: { name: string }) {
  return sql.raw(`excluded."${column.name}"`);
}
