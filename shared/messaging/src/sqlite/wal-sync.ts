import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';

/**
 * `synchronous=FULL` durability without stopping the event loop. The db commits at
 * `synchronous=NORMAL` (WAL frames written, not synced), and `sync()` fsyncs the WAL file on
 * libuv's thread pool: once it resolves, every transaction committed before the call is on
 * disk (SQLite replays the WAL's committed frames after a power cut; checkpoints sync the WAL
 * and the db themselves at NORMAL). Calls made while an fsync runs share the next one, so one
 * fsync covers every commit made meanwhile (group commit), and the service goes on parsing,
 * committing and publishing while the disk works.
 */
export class WalSync {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** fsyncs done: for tests and metrics. */
  syncs = 0;

  constructor(private readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk; rejects if the fsync fails. */
  sync(): Promise<void> {
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

  private fsyncOnce(): Promise<void> {
    // A WAL deleted and made again (the last connection closed, journal mode changed) is
    // another file: sync the one SQLite writes now.
    if (this.fd !== null && !this.sameFile(this.fd)) this.close();
    if (this.fd === null) {
      try {
        this.fd = openSync(this.walPath, 'r');
      } catch (err) {
        // No WAL yet: nothing was committed through it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
        return Promise.reject(err);
      }
    }
    const fd = this.fd!;
    return new Promise((resolve, reject) =>
      fsync(fd, (err) => {
        if (err) return reject(err);
        this.syncs++;
        resolve();
      }),
    );
  }

  private sameFile(fd: number): boolean {
    try {
      return statSync(this.walPath).ino === fstatSync(fd).ino;
    } catch {
      return false;
    }
  }
}
