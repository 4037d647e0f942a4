import type Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Pages in the WAL past which the service's own connection checkpoints while the worker runs. */
export const backstopPages = 4000;
/** SQLite's own default, back in force when the worker stops. */
const defaultAutocheckpointPages = 1000;

export interface WalCheckpointerOptions {
  /**
   * Between two PASSIVE checkpoints (default 100 ms). Each checkpoint that copies the whole
   * WAL makes the writer's next commit start the WAL over, with an fsync of its header on
   * the event loop: every 50 ms cost more per message at 1 in flight, every 500 ms made the
   * checkpoints large enough to show in the slowest sagas.
   */
  intervalMs?: number;
  /** The worker stopped, or its checkpoints fail: the service's connection checkpoints by itself again. */
  onError?: (err: unknown) => void;
}

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
  private exited = false;

  /** `sqlite`: the service's connection to `dbPath`, whose autocheckpoint becomes the backstop. */
  constructor(sqlite: Database.Database, dbPath: string, options: WalCheckpointerOptions = {}) {
    sqlite.pragma(`wal_autocheckpoint = ${backstopPages}`);
    // The very copy of the driver the service's connection uses (the bundle's own import):
    // two SQLite libraries in one process would each drop the other's POSIX locks.
    const driver = fileURLToPath(import.meta.resolve('better-sqlite3'));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { driver, dbPath, intervalMs: options.intervalMs ?? 100 } });
    let failed = false;
    const fail = (err: unknown) => {
      if (failed || this.closed) return;
      failed = true;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${defaultAutocheckpointPages}`);
      options.onError?.(err);
    };
    // An error the worker throws arrives cloned: SQLite's own errors as plain objects.
    this.worker.on('error', (err: unknown) => fail(err instanceof Error ? err : new Error(`WAL checkpointer: ${(err as { message?: string })?.message ?? JSON.stringify(err)}`)));
    this.worker.on('message', (m: { error?: string }) => m.error !== undefined && fail(new Error(`WAL checkpoint failed: ${m.error}`)));
    this.worker.on('exit', () => {
      this.exited = true;
      fail(new Error('the WAL checkpointer thread ended'));
    });
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
    if (this.exited) return;
    this.worker.ref();
    this.worker.postMessage('close');
    await new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000).unref();
    });
  }
}

// CommonJS, run by the worker. Busy is passed over (the next tick tries again); any other
// error is told once, and the worker goes on trying.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.dbPath, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
} catch (err) {
  parentPort.postMessage({ error: 'cannot open ' + workerData.dbPath + ': ' + (err.message || err.code || err) });
  process.exit(1);
}
let pagesCopied = 0;
let backfilled = 0;
let told = false;
const timer = setInterval(() => {
  try {
    // log: pages in the WAL; checkpointed: how many of them are in the db (both start over with the WAL)
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.checkpointed < backfilled) backfilled = 0;
    pagesCopied += r.checkpointed - backfilled;
    backfilled = r.checkpointed;
  } catch (err) {
    if (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED' || told) return;
    told = true;
    parentPort.postMessage({ error: String(err.message || err) });
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
