import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalSync } from './wal-sync.js';

/** Group fsync of a WAL file (a real file on disk). */
describe('WalSync', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'jetsaga-walsync-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves without an fsync while there is no WAL yet', async () => {
    const wal = new WalSync(join(dir, 'none.db-wal'));
    await wal.sync();
    assert.equal(wal.syncs, 0);
  });

  it('shares one fsync among the calls made while one runs', async () => {
    // given a WAL file, and an fsync running
    const path = join(dir, 'a.db-wal');
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    const first = wal.sync();
    // when five more callers ask while it runs
    const waiting = [wal.sync(), wal.sync(), wal.sync(), wal.sync(), wal.sync()];
    await Promise.all([first, ...waiting]);
    // then they share the one after it: two fsyncs in all, not six
    assert.equal(wal.syncs, 2);
    wal.close();
  });

  it('starts a new fsync for a call made after the last one ended', async () => {
    const path = join(dir, 'b.db-wal');
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    await wal.sync();
    await wal.sync();
    assert.equal(wal.syncs, 2);
    wal.close();
  });

  it('syncs the WAL file there is now when it was deleted and made again', async () => {
    const path = join(dir, 'c.db-wal');
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    await wal.sync();
    // given the WAL deleted, then written anew (another inode)
    rmSync(path);
    writeFileSync(path, 'new frames');
    // then the next sync opens the new file (an fsync counted), and with no WAL at all none is done
    await wal.sync();
    assert.equal(wal.syncs, 2);
    rmSync(path);
    await wal.sync();
    assert.equal(wal.syncs, 2);
    wal.close();
  });

  it('fails every later sync with the first error once one failed', async () => {
    // given a WAL path that cannot be opened (its parent is a file)
    const parent = join(dir, 'not-a-dir');
    writeFileSync(parent, '');
    const wal = new WalSync(join(parent, 'd.db-wal'));
    // when a sync fails
    await assert.rejects(wal.sync(), { code: 'ENOTDIR' });
    // then the next ones fail with the same error, even once the cause is gone
    rmSync(parent);
    await assert.rejects(wal.sync(), { code: 'ENOTDIR' });
    assert.equal(wal.syncs, 0);
  });
});
