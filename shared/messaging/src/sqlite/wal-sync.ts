import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `synchronous=FULL` durability without stopping the event loop. The db commits at
 * `synchronous=NORMAL` (WAL frames written, not synced), and `sync()` fsyncs the WAL file on
 * libuv's thread pool: once it resolves, every transaction committed before the call is on
 * disk (SQLite replays the WAL's committed frames after a power cut; checkpoints sync the WAL
 * and the db themselves at NORMAL, and the WAL header when the WAL is reused). Calls made while
 * an fsync runs share the next one, so one fsync covers every commit made meanwhile (group
 * commit), and the service goes on parsing, committing and publishing while the disk works.
 *
 * A failed fsync is final: the kernel may have called the failed pages clean, so no later
 * fsync can be trusted to cover them; every later `sync()` rejects with the first error.
 */
export class WalSync {
  private fd: number | null = null;
  /** The WAL file was (re)opened: its directory entry is synced once too, as SQLite does at FULL. */
  private newFile = false;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failure: unknown = null;
  /** fsyncs done: for tests and metrics. */
  syncs = 0;

  constructor(private readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk; rejects if an fsync failed. */
  sync(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (!this.running) {
      this.running = this.fsyncOnce().finally(() => (this.running = null));
      return this.running;
    }
    // The fsync running may have started before the caller's commit: wait for the one after it.
    this.queued ??= this.running
      .catch(() => {})
      .then(() => {
        this.queued = null;
        return this.sync();
      });
    return this.queued;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private async fsyncOnce(): Promise<void> {
    try {
      // A WAL deleted and made again (the last connection closed, journal mode changed) is
      // another file: sync the one SQLite writes now.
      if (this.fd !== null && !this.sameFile(this.fd)) this.close();
      if (this.fd === null) {
        try {
          this.fd = openSync(this.walPath, 'r');
        } catch (err) {
          // No WAL yet: nothing was committed through it.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw err;
        }
        this.newFile = true;
      }
      await fsyncFd(this.fd);
      if (this.newFile) {
        const dir = openSync(dirname(this.walPath), 'r');
        try {
          await fsyncFd(dir);
        } finally {
          closeSync(dir);
        }
        this.newFile = false;
      }
      this.syncs++;
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }

  private sameFile(fd: number): boolean {
    try {
      return statSync(this.walPath).ino === fstatSync(fd).ino;
    } catch {
      return false;
    }
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}
