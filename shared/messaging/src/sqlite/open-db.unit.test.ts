import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServiceDb } from './open-db.js';

describe('a service db as openServiceDb leaves it', () => {
  it('is in WAL mode with the asked synchronous, and keeps the savepoints of a batch in memory, not in a temp file per commit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jetsaga-open-db-'));
    try {
      const migrationsFolder = join(dir, 'drizzle');
      mkdirSync(join(migrationsFolder, 'meta'), { recursive: true });
      writeFileSync(join(migrationsFolder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries: [] }));
      const db = openServiceDb({ path: join(dir, 'svc.db'), schema: {}, migrationsFolder, synchronous: 'FULL' });
      const sqlite = db.$client;
      assert.equal(sqlite.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(sqlite.pragma('synchronous', { simple: true }), 2); // FULL
      assert.equal(sqlite.pragma('temp_store', { simple: true }), 2); // MEMORY
      sqlite.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
