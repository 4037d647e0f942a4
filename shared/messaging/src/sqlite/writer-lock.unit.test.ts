import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KitError } from '../errors.js';
import { acquireWriterLock, holderOf, writerInfoPath } from './writer-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'jetsaga-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('one writer per service db', () => {
  it('a second holder is refused with the first one named (pid, host, since); released, the next one gets it', () => {
    const db = join(dir, 'order.db');
    const first = acquireWriterLock(db, 'order');
    assert.deepEqual({ ...holderOf(db), since: undefined }, { pid: process.pid, host: hostname(), name: 'order', since: undefined });
    assert.throws(
      () => acquireWriterLock(db, 'order'),
      (err: unknown) =>
        err instanceof KitError &&
        err.code === 'db_locked' &&
        err.permanent &&
        err.message.includes(`pid ${process.pid} on ${hostname()} (order), since ${holderOf(db)!.since}`),
    );
    first.release();
    assert.ok(!existsSync(writerInfoPath(db)));
    const second = acquireWriterLock(db, 'order');
    second.release();
    second.release();
  });

  it('each db has its own lock', () => {
    const a = acquireWriterLock(join(dir, 'a.db'));
    const b = acquireWriterLock(join(dir, 'nested', 'b.db'));
    a.release();
    b.release();
  });
});
