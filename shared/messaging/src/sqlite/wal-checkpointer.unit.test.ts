import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@jetsaga/stack';
import { backstopPages, WalCheckpointer } from './wal-checkpointer.js';

describe('the WAL checkpointer', () => {
  it('copies the WAL into the db from its own thread, and leaves the connection a backstop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jetsaga-checkpointer-'));
    const path = join(dir, 'svc.db');
    const db = new Database(path);
    try {
      // given a service connection in WAL mode with commits in its WAL
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const checkpointer = new WalCheckpointer(db, path, { intervalMs: 10, onError: (err) => assert.fail(`checkpointer failed: ${String(err)}`) });
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), backstopPages);
      const before = statSync(path).size;
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 500; i++) insert.run('x'.repeat(200));
      })();
      // when the worker has copied as many pages as the WAL holds frames (a 32-byte header, then a 24-byte header and a page each)
      const frames = (statSync(`${path}-wal`).size - 32) / ((db.pragma('page_size', { simple: true }) as number) + 24);
      await waitFor(async () => (await checkpointer.pagesCopied()) >= frames || undefined, { timeoutMs: 10_000, intervalMs: 10, what: `the worker copying ${frames} pages` });
      // then the rows are in the db file itself
      assert.ok(statSync(path).size > before + 100_000, 'the db file grew by the rows');
      await checkpointer.close();
      assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 500);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the checkpoints back to the connection, and says why, when the worker cannot run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jetsaga-checkpointer-'));
    const db = new Database(join(dir, 'svc.db'));
    try {
      db.pragma('journal_mode = WAL');
      // given a checkpointer pointed at a db that does not exist (its worker cannot open it)
      const failed = new Promise<unknown>((resolve) => new WalCheckpointer(db, join(dir, 'missing.db'), { intervalMs: 10, onError: resolve }));
      // then it says so (its thread does not keep a process alive: this test does), and the
      // connection's autocheckpoint is SQLite's default again
      const keepAlive = setInterval(() => {}, 1000);
      const why = await failed.finally(() => clearInterval(keepAlive));
      assert.match(String(why), /missing\.db|unable to open|does not exist/i);
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
