import { decodeMessage, type Envelope } from '@jetsaga/events';
import { markOutboxSent } from '../outbound/outbox.js';
import type { AnyServiceDefinition } from '../service/define.js';
import { openServiceDb, type ServiceDb, type Synchronous } from '../sqlite/open-db.js';
import { acquireWriterLock } from '../sqlite/writer-lock.js';
import { commitBatch } from '../step/commit-batch.js';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

export interface LocalService {
  db: ServiceDb;
  /**
   * Runs messages through the service as one batch, exactly as its consumers would (inbox,
   * load, react, save, outbox, step log, in one transaction), and returns the events it
   * emitted, taken out of its outbox. No broker.
   */
  handle(messages: Envelope[]): Envelope[];
  close(): void;
}

/**
 * A service in this process on its own SQLite file, without NATS: for benchmarks and tools. It
 * is the db's one writer while open, like a service process (a running service refuses it).
 */
export function openLocalService(def: AnyServiceDefinition, opts: { path: string; synchronous?: Synchronous; env?: NodeJS.ProcessEnv }): LocalService {
  const settings: unknown = def.settings.parse(opts.env ?? process.env);
  const lock = acquireWriterLock(opts.path, `${def.name} (local)`);
  let db: ServiceDb;
  try {
    db = openServiceDb({ path: opts.path, schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: opts.synchronous });
  } catch (err) {
    lock.release();
    throw err;
  }
  const reactor = { service: def.name, def, settings };
  const handle = (messages: Envelope[]): Envelope[] => {
    const items = messages.map((message) => ({ consumer: `${def.name}-${message.type}`, message, traceparent }));
    const rows = commitBatch(db, reactor, items).flatMap((o) => {
      if (!o.ok) throw o.error;
      return o.duplicate ? [] : o.rows;
    });
    markOutboxSent(db, rows.map((r) => r.seq), Date.now());
    return rows.map((r) => {
      const d = decodeMessage(r.payload);
      if (!d.ok) throw new Error(d.detail);
      return d.envelope;
    });
  };
  return {
    db,
    handle,
    close: () => {
      db.$client.close();
      lock.release();
    },
  };
}
