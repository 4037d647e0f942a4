import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { KitError } from '../errors.js';

/** Who holds a service db: written beside it by the process that took the lock. */
export interface WriterInfo {
  pid: number;
  host: string;
  /** ISO time the process took the lock. */
  since: string;
  /** What it is (`order`, ...). */
  name?: string;
}

export interface WriterLock {
  readonly dbPath: string;
  /** Releases the lock (closing the db does not): a stopped process lets the next one in. */
  release(): void;
}

/** The file whose lock is the db's: `<db>.writer-lock`. Its holder is in `<db>.writer.json`. */
export const writerLockPath = (dbPath: string) => `${dbPath}.writer-lock`;
export const writerInfoPath = (dbPath: string) => `${dbPath}.writer.json`;

/**
 * One writer per service db: takes an exclusive lock on `<db>.writer-lock`, or throws
 * `db_locked` naming the process that holds it (pid, host, since). Two writers would publish
 * outbox rows twice and split the consumers between two copies of the state.
 *
 * The lock is SQLite's own (an exclusive connection in `locking_mode=EXCLUSIVE`), so a POSIX
 * advisory lock the kernel drops when the process dies: a SIGKILLed service leaves nothing
 * that blocks its restart, however soon. (proper-lockfile and the like judge a lock stale by
 * its age, so a restart right after a SIGKILL would wait or steal.) Like every POSIX lock it
 * protects a local file system, not a db shared over NFS between hosts.
 */
export function acquireWriterLock(dbPath: string, name?: string): WriterLock {
  mkdirSync(dirname(dbPath), { recursive: true });
  const lock = new Database(writerLockPath(dbPath), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // Held from here until the connection closes (or the process ends, however it ends).
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('COMMIT');
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new KitError('db_locked', lockedMessage(dbPath, currentHolder(dbPath)), { cause: err });
    throw err;
  }
  const info: WriterInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(name ? { name } : {}) };
  // Never open the lock file itself with fs: closing any descriptor of it would drop this process's lock.
  writeFileSync(writerInfoPath(dbPath), `${JSON.stringify(info)}\n`);
  let released = false;
  return {
    dbPath,
    release() {
      if (released) return;
      released = true;
      rmSync(writerInfoPath(dbPath), { force: true });
      lock.close();
    },
  };
}

/** Who holds the lock, as it wrote it (undefined when it has not yet, or wrote nothing readable). */
export function holderOf(dbPath: string): WriterInfo | undefined {
  try {
    return JSON.parse(readFileSync(writerInfoPath(dbPath), 'utf8')) as WriterInfo;
  } catch {
    return undefined;
  }
}

/**
 * The holder, given a moment to say who it is: it writes its info just after taking the lock,
 * and the file may still name a holder that died before it (a SIGKILL leaves the file).
 */
function currentHolder(dbPath: string): WriterInfo | undefined {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let holder = holderOf(dbPath);
  for (let i = 0; i < 20 && (!holder || !alive(holder)); i++) {
    Atomics.wait(pause, 0, 0, 50);
    holder = holderOf(dbPath);
  }
  return holder;
}

/** False only when the holder is on this host and its pid is gone. */
function alive(holder: WriterInfo): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

function lockedMessage(dbPath: string, holder: WriterInfo | undefined): string {
  const who = holder
    ? `pid ${holder.pid} on ${holder.host}${holder.name ? ` (${holder.name})` : ''}, since ${holder.since}`
    : 'another process (it has not said which yet)';
  return `${dbPath} is in use by ${who}: one process writes a service db at a time (two would publish its outbox twice); stop that one first`;
}
