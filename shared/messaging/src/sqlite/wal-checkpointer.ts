import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The WAL's checkpoints on a thread of their own. A checkpoint copies the WAL's pages into
 * the db and fsyncs both files; run by the service's connection (SQLite's autocheckpoint, at
 * 1,000 pages) it stopped the event loop for several milliseconds, each second or so under
 * load: the slowest sagas. Here a second connection, in a worker thread, runs a PASSIVE
 * checkpoint every `intervalMs` (it never waits for nor blocks the writer). The service's
 * own autocheckpoint stays as a backstop at `backstopPages`: by then the worker has copied
 * and synced nearly everything, so it costs little, and it lets the WAL start over from its
 * beginning when a checkpoint never happens to end between two commits.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private closed = false;

  /** `sqlite`: the service's connection to `dbPath`, whose autocheckpoint becomes the backstop. */
  constructor(sqlite: Database.Database, dbPath: string, options: { intervalMs?: number; onError?: (err: unknown) => void } = {}) {
    const intervalMs = options.intervalMs ?? 50;
    sqlite.pragma(`wal_autocheckpoint = ${backstopPages}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, dbPath, intervalMs } });
    // A checkpointer that cannot run leaves the autocheckpoint backstop in charge: no data at stake.
    this.worker.on('error', (err) => options.onError?.(err));
    this.worker.unref();
  }

  /** WAL pages the worker has copied into the db so far (for tests). */
  pagesCopied(): Promise<number> {
    this.worker.ref();
    return new Promise((resolve) => {
      const onMessage = (m: { pagesCopied?: number }) => {
        if (m.pagesCopied === undefined) return;
        this.worker.off('message', onMessage);
        this.worker.unref();
        resolve(m.pagesCopied);
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage('count');
    });
  }

  /** Stops the timer and closes the worker's connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.ref();
    this.worker.postMessage('close');
    await new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000).unref();
    });
  }
}

/** Pages in the WAL past which the service's own connection checkpoints (SQLite's default is 1,000). */
export const backstopPages = 4000;

// CommonJS, run by the worker: the driver is the service's own better-sqlite3.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.dbPath, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
let pagesCopied = 0;
let backfilled = 0;
const timer = setInterval(() => {
  try {
    // log: pages in the WAL; checkpointed: how many of them are in the db (both start over with the WAL)
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.checkpointed < backfilled) backfilled = 0;
    pagesCopied += r.checkpointed - backfilled;
    backfilled = r.checkpointed;
  } catch {
    // busy or the like: the next tick tries again, and the backstop is there
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'count') return parentPort.postMessage({ pagesCopied });
  if (m === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;
